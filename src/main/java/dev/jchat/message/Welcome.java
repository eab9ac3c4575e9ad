package dev.jchat.message;

import java.util.List;

/**
 * First frame of every accepted connection.
 *
 * @param user      the connection's name, or null until its first message names it
 * @param users     distinct names online in the room, sorted
 * @param lastId    id of the newest message in the room, 0 if none
 * @param epoch     names the room's id sequence; ids compare only within one epoch
 * @param recovered true when everything after the client's {@code since} is replayed
 * @param key       the secret of the name this connection claimed or proved, or null (absent on the wire)
 */
public record Welcome(String user, String room, List<String> users, long lastId, String epoch, boolean recovered,
                      String key) implements ServerFrame {

    public Welcome {
        users = List.copyOf(users);
    }
}

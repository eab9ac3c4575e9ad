package dev.jchat.message;

import java.util.List;

/**
 * First frame of every accepted connection, and (version 3) the answer to each {@code subscribe}.
 * A version-3 connection opened in no room gets one with {@code user} and {@code key} alone: its
 * room fields are null, absent on the wire.
 *
 * @param user      the connection's name, or null until its first message names it
 * @param users     distinct names online in the room, sorted
 * @param lastId    id of the newest message in the room, 0 if none
 * @param epoch     names the room's id sequence; ids compare only within one epoch
 * @param recovered true when everything after the client's {@code since} is replayed
 * @param key       the secret of the name this connection claimed or proved, or null (absent on the wire)
 * @param moderator true for a moderator's connection (version 3), else null (absent)
 * @param otherOnline in a direct conversation (version 3), whether the other name is online
 *                  anywhere, else null (absent)
 */
public record Welcome(String user, String room, List<String> users, Long lastId, String epoch, Boolean recovered,
                      String key, Boolean moderator, Boolean otherOnline) implements ServerFrame {

    public Welcome {
        users = users == null ? null : List.copyOf(users);
    }

    /** A welcome that says nothing of another name. */
    public Welcome(String user, String room, List<String> users, Long lastId, String epoch, Boolean recovered,
                   String key, Boolean moderator) {
        this(user, room, users, lastId, epoch, recovered, key, moderator, null);
    }

    /** The welcome of a version-3 connection opened in no room. */
    public static Welcome alone(String user, String key, Boolean moderator) {
        return new Welcome(user, null, null, null, null, null, key, moderator);
    }
}

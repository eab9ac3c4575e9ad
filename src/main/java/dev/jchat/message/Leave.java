package dev.jchat.message;

import java.time.Instant;
import java.util.List;

/**
 * Names whose last connection in a room closed; {@code online} counts distinct names after it.
 *
 * @param user  the name, or in a coalesced frame the first of them (what a version-1 client reads)
 * @param users every name this frame announces, or null when it announces {@code user} alone
 * @param room  the room
 */
public record Leave(String user, List<String> users, Instant dateTime, int online, String room) implements ServerFrame {

    public Leave {
        users = users == null ? null : List.copyOf(users);
    }
}

package dev.jchat.security;

import java.util.List;

/**
 * The rooms a token's rooms claim opens ({@code CHAT_JWT_ROOMS_CLAIM}): each entry a room's name,
 * or a prefix when it ends in {@code *}. Direct conversations are not its business: the hub lets
 * their two names in whatever the grant says. Immutable.
 *
 * @param entries as the token lists them
 */
public record RoomGrant(List<String> entries) {

    public RoomGrant {
        entries = List.copyOf(entries);
    }

    /** Whether the grant opens {@code room}. */
    public boolean allows(String room) {
        for (String entry : entries) {
            if (entry.endsWith("*") ? room.startsWith(entry.substring(0, entry.length() - 1)) : room.equals(entry)) {
                return true;
            }
        }
        return false;
    }
}

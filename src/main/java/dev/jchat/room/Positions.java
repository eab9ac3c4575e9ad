package dev.jchat.room;

import dev.jchat.connection.Member;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Version 3's read positions and "my rooms" (docs/PROTOCOL.md, "Read positions and my rooms"),
 * kept where the engine keeps rooms: per owner of a name, each room it has been in, when it was
 * last active there, and how far it has read it. Only names of their own are kept
 * ({@link #owner}): a connection that named itself by its first message has none. Each owner
 * keeps at most {@link #MAX_ROOMS} rooms, the most recently active; a room not active for
 * {@code CHAT_HISTORY_DAYS} is forgotten. Implementations are thread-safe.
 */
public interface Positions {

    /** Rooms an owner keeps, and "my rooms" answers, at most. */
    int MAX_ROOMS = 200;
    /** Unread messages counted at most per room. */
    int MAX_UNREAD = 100;

    /** One of an owner's rooms: when the owner was last active there (ms since the epoch), and the id read up to (0: none). */
    record Mine(String room, long active, long read) {
    }

    /**
     * What a room holds unread for a name: chat messages after its read position, not its own and
     * not deleted, up to {@link #MAX_UNREAD}; {@code mentions}: those of them that hold
     * {@code @NAME}, case-insensitively.
     */
    record Unread(int unread, int mentions) {
    }

    /** What a message's text holds, lower-cased ({@link java.util.Locale#ROOT}), when it mentions {@code user}. */
    static String mention(String user) {
        return "@" + user.toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The name was active in {@code room} at {@code nowMillis} (it entered it): the room is one of
     * its rooms, the most recently active.
     */
    void visited(String owner, String room, long nowMillis);

    /**
     * The name has read {@code room} up to {@code id}, at {@code nowMillis}: kept only if it moves
     * the position forward; the room counts as active then. Completes with whether it moved.
     */
    CompletionStage<Boolean> read(String owner, String room, long id, long nowMillis);

    /** Takes {@code room} and its read position off the owner's rooms ({@code unsubscribe} with {@code forget}). */
    void forget(String owner, String room);

    /** The owner's rooms, the most recently active first, at most {@link #MAX_ROOMS}. */
    CompletionStage<List<Mine>> mine(String owner);

    /**
     * Whose positions a connection's are, or null when its name is not its own (none, or one
     * taken by a first message): a token's subject by its name; a name held by key by its name and
     * the digest of the key, so that whoever claims a name after its hold ran out (with another
     * key) does not inherit the rooms and positions of the one before.
     */
    static String owner(Member member) {
        String name = member.name();
        if (name == null || !member.proven()) {
            return null;
        }
        return member.key() == null ? name : name + "|" + Names.digest(member.key());
    }
}

package dev.jchat.room;

import dev.jchat.connection.Frame;
import dev.jchat.connection.Member;

/**
 * One chat room: its members, presence, id sequence and history. Implementations are
 * thread-safe and give every member the room's messages in one order, each once.
 */
public interface Room {

    /** The room's name. */
    String name();

    /** Whether the other names of direct conversations are online anywhere, for their welcomes; null: not told. */
    default Peers peers() {
        return null;
    }

    /** Gives a member that joined without a name its name, and announces it if it is new here. */
    void name(Member member, String name);

    /** Assigns the next id and the time, stores and broadcasts one message, sender included. */
    void publish(Member from, String text);

    /**
     * Version 3: appends an edit, deletion or reaction of a chat message the room holds, by the
     * member, as the next entry of the log ({@link RoomLog}), or tells the member why not.
     */
    void amend(Member from, RoomLog.Amend amend);

    /**
     * Version 3: appends a moderator's action on a name as the next entry of the log; it takes
     * effect on every server as the entry reaches it ({@link Audience}).
     *
     * @param action {@code mute}, {@code unmute}, {@code ban}, {@code unban} or {@code kick}
     * @param until  when a mute or ban ends, or null
     * @param reason the moderator's reason, or null
     */
    void moderate(Member by, String action, String user, java.time.Instant until, String reason);

    /** The name's mute in this room in force now, or null: what its chat, edits, reactions and typing get. */
    Sanctions.Sanction muted(String name);

    /**
     * Removes a member, or a join of its still on its way; announces {@code leave} when it was its
     * name's last connection in the room.
     *
     * @param farewell null, or a frame for the member after the room's last frame to it
     *                 (version 3's {@code unsubscribed})
     */
    void leave(Member member, Frame farewell);

    /**
     * Tells the room's other connections that the member's name is typing: never stored, never
     * to a connection of that name, at most once a second per name (more are dropped).
     */
    void typing(Member from);

    /** Answers the member alone with up to {@code limit} messages below {@code before} (or the newest). */
    void history(Member to, Long before, int limit);

    /**
     * Version 3: the newest id of the room as this server holds it (what a read position may
     * reach). Both engines answer from their {@link Audience}; a room that holds no log, none.
     */
    default long lastId() {
        return 0;
    }

    /**
     * Version 3: what this server holds of the room unread for {@code user}, who read it up to
     * {@code read} ({@link Positions.Unread}); a room that holds no log, nothing.
     */
    default Positions.Unread unread(String user, long read) {
        return new Positions.Unread(0, 0);
    }
}

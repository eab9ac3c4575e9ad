package dev.jchat.message;

import java.time.Instant;

/**
 * Version 3: an entry of a room's log that is not a chat message; it takes the room's next id as a
 * message does, and goes to version-3 connections only. The records are the frames as sent.
 */
public sealed interface LogEntry extends ServerFrame {

    /** The room whose log it is in. */
    String room();

    /** The entry's id in the room's log. */
    long id();

    /** The same entry with the id the room gave it. */
    LogEntry withId(long value);

    /** The chat message it is about, or 0 (moderation). */
    long target();

    /** A chat message's new text, by its author. */
    record Edit(String room, long id, long target, String user, String msg, Instant dateTime) implements LogEntry {
        @Override
        public Edit withId(long value) {
            return new Edit(room, value, target, user, msg, dateTime);
        }
    }

    /** A chat message taken back by its author or removed by a moderator ({@code user}). */
    record Delete(String room, long id, long target, String user, Instant dateTime) implements LogEntry {
        @Override
        public Delete withId(long value) {
            return new Delete(room, value, target, user, dateTime);
        }
    }

    /** A name set ({@code on}) or cleared an emoji on a chat message. */
    record Reaction(String room, long id, long target, String user, String emoji, boolean on, Instant dateTime)
            implements LogEntry {
        @Override
        public Reaction withId(long value) {
            return new Reaction(room, value, target, user, emoji, on, dateTime);
        }
    }

    /**
     * A moderator's action on a name in the room: {@code mute}, {@code unmute}, {@code ban},
     * {@code unban} or {@code kick}.
     *
     * @param until when a mute or ban ends, or null
     */
    record Moderation(String room, long id, String action, String user, String by, Instant until, String reason,
                      Instant dateTime) implements LogEntry {
        @Override
        public Moderation withId(long value) {
            return new Moderation(room, value, action, user, by, until, reason, dateTime);
        }

        @Override
        public long target() {
            return 0;
        }
    }
}

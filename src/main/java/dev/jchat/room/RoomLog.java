package dev.jchat.room;

import dev.jchat.message.ChatMessage;
import dev.jchat.message.ErrorCode;
import dev.jchat.message.LogEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of a room's log, whichever engine keeps it (PROTOCOL.md, "The room log"): who may
 * edit, delete or react to a message, what entry that makes, and what each entry does to the
 * message it is about. The in-memory engine applies them under its room's lock; the Redis engine
 * to the message as Redis holds it, written back only if nobody changed it meanwhile. Stateless.
 */
public final class RoomLog {

    /** Different emoji one message may carry. */
    public static final int MAX_REACTIONS = 20;
    /**
     * Entries other than chat messages a room keeps, per chat message it keeps, in every engine:
     * a reaction storm cannot grow a room without bound.
     */
    public static final int ENTRIES_PER_MESSAGE = 4;
    static final String NOT_FOUND = "no such message in this room: it may be deleted, or too old to be held";

    private RoomLog() {
    }

    /** What a client asks to do to a chat message of the room. */
    public sealed interface Amend {
        /** The id of the message. */
        long target();
    }

    /** New text for a message, checked as a chat message's. */
    public record Edit(long target, String text) implements Amend {
    }

    /** Takes a message back. */
    public record Delete(long target) implements Amend {
    }

    /** Sets ({@code on}) or clears an emoji, checked. */
    public record React(long target, String emoji, boolean on) implements Amend {
    }

    /**
     * What an amendment comes to: the entry to append (its id still 0), or the error to answer,
     * or neither (a reaction already set, or not set: nothing changes and no entry is made).
     */
    public record Decision(LogEntry entry, ErrorCode refusal, String why) {

        static Decision append(LogEntry entry) {
            return new Decision(entry, null, null);
        }

        static Decision refuse(ErrorCode code, String why) {
            return new Decision(null, code, why);
        }

        static final Decision NOTHING = new Decision(null, null, null);
    }

    /**
     * Decides an amendment by {@code by} of {@code message} as it is now (null when the room does
     * not hold it).
     */
    public static Decision decide(ChatMessage message, Amend amend, String by, boolean moderator, String room,
                                  Instant now) {
        if (message == null || message.wasDeleted()) {
            return Decision.refuse(ErrorCode.NOT_FOUND, NOT_FOUND);
        }
        boolean own = by.equals(message.user());
        if (amend instanceof Edit edit) {
            return own
                    ? Decision.append(new LogEntry.Edit(room, 0, edit.target(), by, edit.text(), now))
                    : Decision.refuse(ErrorCode.FORBIDDEN, "only its author may edit a message");
        }
        if (amend instanceof Delete delete) {
            return own || moderator
                    ? Decision.append(new LogEntry.Delete(room, 0, delete.target(), by, now))
                    : Decision.refuse(ErrorCode.FORBIDDEN, "only its author or a moderator may delete a message");
        }
        return react(message, (React) amend, by, room, now);
    }

    private static Decision react(ChatMessage message, React react, String by, String room, Instant now) {
        Map<String, List<String>> reactions = message.reactions() == null ? Map.of() : message.reactions();
        List<String> names = reactions.get(react.emoji());
        boolean set = names != null && names.contains(by);
        if (set == react.on()) {
            return Decision.NOTHING;
        }
        if (react.on() && names == null && reactions.size() >= MAX_REACTIONS) {
            return Decision.refuse(ErrorCode.INVALID_MESSAGE,
                    "a message carries at most " + MAX_REACTIONS + " different reactions");
        }
        return Decision.append(new LogEntry.Reaction(room, 0, react.target(), by, react.emoji(), react.on(), now));
    }

    /** The message after an entry about it. */
    public static ChatMessage apply(ChatMessage message, LogEntry entry) {
        if (entry instanceof LogEntry.Edit edit) {
            return new ChatMessage(message.id(), message.user(), message.dateTime(), edit.msg(), message.room(),
                    edit.dateTime(), null, message.reactions(), message.api());
        }
        if (entry instanceof LogEntry.Delete) {
            // Its text, its edits and its reactions are gone: only that it was there stays.
            return new ChatMessage(message.id(), message.user(), message.dateTime(), null, message.room(), null, true,
                    null, message.api());
        }
        if (entry instanceof LogEntry.Reaction reaction) {
            return new ChatMessage(message.id(), message.user(), message.dateTime(), message.msg(), message.room(),
                    message.edited(), null, react(message.reactions(), reaction), message.api());
        }
        return message; // moderation is about a name, not a message
    }

    private static Map<String, List<String>> react(Map<String, List<String>> before, LogEntry.Reaction reaction) {
        Map<String, List<String>> after = new LinkedHashMap<>();
        if (before != null) {
            before.forEach((emoji, names) -> after.put(emoji, new ArrayList<>(names)));
        }
        List<String> names = after.computeIfAbsent(reaction.emoji(), e -> new ArrayList<>());
        names.remove(reaction.user());
        if (reaction.on()) {
            names.add(reaction.user());
        }
        if (names.isEmpty()) {
            after.remove(reaction.emoji());
        }
        after.replaceAll((emoji, list) -> List.copyOf(list));
        return after.isEmpty() ? null : after;
    }

    /** The message as a version-1 or version-2 connection sees it: its text now and nothing more; null when deleted. */
    public static ChatMessage plain(ChatMessage message) {
        return message.wasDeleted() ? null : new ChatMessage(message.id(), message.user(), message.dateTime(),
                message.msg(), message.room(), null, null, null, message.api());
    }
}

package dev.jchat.message;

import java.time.Instant;

/** One chat message as the server stored and broadcast it: id, name and time are the server's. */
public record ChatMessage(long id, String user, Instant dateTime, String msg, String room) implements ServerFrame {

    /** The same message with the id the room gave it. */
    public ChatMessage withId(long value) {
        return new ChatMessage(value, user, dateTime, msg, room);
    }
}

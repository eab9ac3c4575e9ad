package dev.jchat.message;

import java.time.Instant;

/** One chat message as the server stored and broadcast it: id, name and time are the server's. */
public record ChatMessage(long id, String user, Instant dateTime, String msg, String room) implements ServerFrame {
}

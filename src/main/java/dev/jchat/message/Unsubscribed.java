package dev.jchat.message;

/** Version 3: the connection left {@code room}; nothing of it follows this frame. */
public record Unsubscribed(String room) implements ServerFrame {
}

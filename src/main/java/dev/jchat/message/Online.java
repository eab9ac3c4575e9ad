package dev.jchat.message;

/**
 * Version 3: in direct conversation {@code room}, whether the other name, {@code user}, is online
 * anywhere now (any connection of its own, on any server): sent after the conversation's welcome
 * each time it changes.
 */
public record Online(String room, String user, boolean online) implements ServerFrame {
}

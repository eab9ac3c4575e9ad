package dev.jchat.message;

/** Version 3: in direct conversation {@code room}, the other name, {@code user}, has read up to {@code id}. */
public record Seen(String room, String user, long id) implements ServerFrame {
}

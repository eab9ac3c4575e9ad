package dev.jchat.message;

/** Version 3: this connection's name has read {@code room} up to {@code id} (on another of its connections). */
public record ReadPosition(String room, long id) implements ServerFrame {
}

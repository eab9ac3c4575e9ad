package dev.jchat.message;

/** Someone else in the room is typing: relayed, never stored. */
public record Typing(String user, String room) implements ServerFrame {
}

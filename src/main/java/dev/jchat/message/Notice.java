package dev.jchat.message;

/** A new message in one of your direct conversations, for a connection that is not in it. */
public record Notice(String room, String user, long id, String msg) implements ServerFrame {
}

package dev.jchat.room;

import jakarta.websocket.Session;

/**
 * What the chat may ask of a session's TCP connection, where the container offers a way: drop it
 * at once, for a peer that stopped reading, whose close frame would wait behind what it never
 * reads; and when it last read anything, WebSocket pings included, for the hub's idle check.
 * Implementations are thread-safe.
 */
@FunctionalInterface
public interface ConnectionAbort {

    /** Containers that close a stalled connection themselves (Tomcat does, once a close times out). */
    ConnectionAbort NONE = session -> false;

    /** Drops the connection; false when this session's container offers no way to. */
    boolean abort(Session session);

    /**
     * When the connection last read from its peer, as {@link System#nanoTime()}, or
     * {@link Long#MIN_VALUE} when the container does not say.
     */
    default long lastRead(Session session) {
        return Long.MIN_VALUE;
    }
}

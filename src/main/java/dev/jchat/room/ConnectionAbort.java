package dev.jchat.room;

import jakarta.websocket.Session;

/**
 * Drops a session's TCP connection at once, where the container offers a way: for a peer that
 * stopped reading, whose close frame would wait behind what it never reads. Implementations are
 * thread-safe.
 */
@FunctionalInterface
public interface ConnectionAbort {

    /** Containers that close a stalled connection themselves (Tomcat does, once a close times out). */
    ConnectionAbort NONE = session -> false;

    /** Drops the connection; false when this session's container offers no way to. */
    boolean abort(Session session);
}

package dev.jchat.connection;

import jakarta.websocket.Session;
import java.util.function.LongSupplier;

/**
 * What the chat may ask of a session's connection beyond the WebSocket API, where the container
 * offers a way: drop it at once, for a peer that stopped reading, whose close frame would wait
 * behind what it never reads; when it last read anything, WebSocket pings included, for the
 * hub's idle check; the frame limit, on each frame's header; and how to send a frame.
 * Implementations are thread-safe.
 */
@FunctionalInterface
public interface Connections {

    /** Containers that close a stalled connection themselves (Tomcat does, once a close times out). */
    Connections NONE = session -> false;

    /**
     * Drops the connection, whatever waits to be written to it; false when it is gone already or
     * this session's container offers no way to.
     */
    boolean abort(Session session);

    /**
     * Tells, each time it is asked, when this session's connection last read from its peer, as
     * {@link System#nanoTime()}, or {@link Long#MIN_VALUE} when the container does not say.
     * Looked up once per session; asked once a second.
     */
    default LongSupplier readClock(Session session) {
        return () -> Long.MIN_VALUE;
    }

    /**
     * The idle timeout, in ms, the container's own sessions are to keep, given the hub's
     * {@code idleMillis}; negative for none. The hub closes idle connections itself; a container
     * timer only costs (Tyrus restarts one on every frame), unless it tells the chat of reads.
     */
    default long idleTimeoutMillis(long idleMillis) {
        return -1;
    }

    /**
     * Where the container lets the chat see each frame's header before it holds the frame:
     * from now on, a frame of this session longer than {@code maxBytes} is dropped unread, and
     * {@code tooBig} runs once, when its last byte is in or a few seconds after its header. False
     * where the container does not offer it; the endpoint checks what the container hands over.
     */
    default boolean limitFrames(Session session, long maxBytes, Runnable tooBig) {
        return false;
    }

    /**
     * As a session opens, before the endpoint sets its limits and idle timeout: a chance to take
     * over what the container would do for it at a cost.
     */
    default void opened(Session session) {
    }

    /**
     * How long, in ns, a close of this session asked for now is to wait before it is asked again:
     * 0 where the container takes a close now. Payara's does not while it is still finishing the
     * upgrade request (WarConnections). Asked on the hub's timer thread; must not block.
     */
    default long closeDelayNanos(Session session) {
        return 0;
    }

    /** How this session's outbox sends: the WebSocket API's {@code sendText} unless the container has better. */
    default FrameWriter writer(Session session) {
        return FrameWriter.portable(session);
    }
}

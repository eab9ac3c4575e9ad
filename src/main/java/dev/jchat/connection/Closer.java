package dev.jchat.connection;

import dev.jchat.logging.Field;
import dev.jchat.logging.RepeatedEvents;
import dev.jchat.metrics.ChatMetrics;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Closes sessions the server gave up on, on a small pool of its own: never on a sender's thread
 * and never under a room or outbox lock, since a container may block while closing a stalled peer
 * (Tomcat waits to write the close frame). Thousands of closes at once queue here rather than
 * start thousands of threads, and are logged as a summary. Every close decided here ends the TCP
 * connection within the send timeout, whatever waits before the close frame: a connection still
 * there by then is dropped ({@link Connections#abort}). Thread-safe.
 */
public final class Closer {

    private static final System.Logger LOG = System.getLogger(Closer.class.getName());
    public static final int THREADS = 4;

    private final ThreadPoolExecutor pool;
    private final RepeatedEvents events;
    private final Connections connections;
    private final ChatMetrics metrics;
    private final ScheduledExecutorService timer; // null: no drop after the send timeout (unit tests)
    private final long sendTimeoutNanos;

    Closer(RepeatedEvents events, Connections connections, ChatMetrics metrics, Threads threads) {
        this(events, connections, metrics, threads, null, 0);
    }

    /**
     * @param timer where a connection still there {@code sendTimeoutNanos} after its close is
     *              dropped; the task only drops it, it does not block
     */
    public Closer(RepeatedEvents events, Connections connections, ChatMetrics metrics, Threads threads,
           ScheduledExecutorService timer, long sendTimeoutNanos) {
        this.timer = timer;
        this.sendTimeoutNanos = sendTimeoutNanos;
        this.pool = new ThreadPoolExecutor(THREADS, THREADS, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                threads.daemons("chat-closer-"));
        this.events = events;
        this.connections = connections;
        this.metrics = metrics;
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Closes {@code session} with {@code reason}, then runs {@code gone}; returns at once. With
     * {@code drop}, for a connection given up on mid-send, the TCP connection is dropped right
     * after the close frame is handed over, as that frame may wait behind data the peer never
     * reads. Without, the close frame gets the send timeout to go out and be answered; a peer that
     * stopped reading never lets it, and then the connection is dropped all the same (nothing else
     * would: the room has forgotten it). A close the container cannot take yet waits as long as
     * it says ({@link Connections#closeDelayNanos}) on the timer. Once the pool has shut down it
     * closes on a thread of its own.
     */
    public void close(Session session, CloseReason reason, boolean drop, Runnable gone) {
        int code = reason.getCloseCode().getCode();
        events.record(Level.INFO, "closing connections with " + code + " " + reason.getReasonPhrase(),
                "session " + session.getId(), Field.connection(session.getId()), Field.closeCode(code));
        metrics.closed(code);
        Runnable task = () -> {
            try {
                closeSession(session, reason);
                if (drop) {
                    connections.abort(session);
                } else {
                    dropLater(session);
                }
            } finally {
                gone.run(); // whatever the container did, the room forgets the connection
            }
        };
        startWhenReady(session, task);
    }

    /** Starts {@code task} once the container can take the close, asking again after the time it says. */
    private void startWhenReady(Session session, Runnable task) {
        long delay = connections.closeDelayNanos(session);
        if (delay > 0 && timer != null) {
            try {
                timer.schedule(() -> startWhenReady(session, task), delay, TimeUnit.NANOSECONDS);
                return;
            } catch (RejectedExecutionException e) {
                // the timer has shut down: the server is stopping, close now
            }
        }
        start(task);
    }

    private void start(Runnable task) {
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            // Shut down: still never on the caller's thread, which may hold a room or outbox lock.
            Thread thread = new Thread(task, "chat-closer-late");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Drops the connection after the send timeout, in case its close frame is still waiting then
     * (a no-op for a connection closed meanwhile); at once when the timer has shut down.
     */
    private void dropLater(Session session) {
        if (timer == null) {
            return;
        }
        try {
            timer.schedule(() -> {
                if (connections.abort(session)) {
                    LOG.log(Level.DEBUG, "dropped the connection of session {0} if its close was not done within the"
                            + " send timeout", Field.connection(session.getId()));
                }
            }, sendTimeoutNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            connections.abort(session); // the server is stopping: nothing waits for a close any more
        }
    }

    /** A send the container refused or failed, for the log. */
    void failedSend(Session session, Throwable error) {
        // the peer went away (IOException), or the container closed the session meanwhile (IllegalStateException)
        boolean peerGone = error instanceof IOException || error instanceof IllegalStateException;
        events.record(peerGone ? Level.DEBUG : Level.WARNING, "could not send to a connection",
                "session " + session.getId() + ": " + error, Field.connection(session.getId()));
    }

    /** Closes of sessions still waiting in the pool, for tests and metrics. */
    public int pending() {
        return pool.getQueue().size() + pool.getActiveCount();
    }

    /** The largest number of closing threads there ever were at once. */
    public int largestPool() {
        return pool.getLargestPoolSize();
    }

    public void shutdown() {
        pool.shutdown();
    }

    private static void closeSession(Session session, CloseReason reason) {
        try {
            if (session.isOpen()) {
                session.close(reason);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "closing session {0} failed: {1}", Field.connection(session.getId()), e.toString());
        }
    }
}

package dev.jchat.room;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The frames waiting to go to one session. Thread-safe; any thread may queue.
 *
 * <p>At most one send is in flight on the session: the next one starts from the previous one's
 * completion (Tomcat throws {@code IllegalStateException} on overlapping sends). Queueing never
 * blocks: when more than {@code limit} frames wait, the session is closed with 1013 on the
 * closer executor and the frames are dropped, so a slow client never holds up anyone else.
 */
public final class Outbox {

    private static final System.Logger LOG = System.getLogger(Outbox.class.getName());
    static final CloseReason OVERFLOW =
            new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, "too slow: outbound queue overflowed");

    private final Session session;
    private final int limit;
    private final Executor closer;

    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private boolean sending;          // one thread owns the drain loop or a send is in flight
    private boolean inSendCall;       // the drain loop is inside sendText
    private boolean completedInCall;  // ...and that send has already completed
    private CloseReason closeWhenDrained;
    private boolean closed;

    public Outbox(Session session, int limit, Executor closer) {
        this.session = session;
        this.limit = limit;
        this.closer = closer;
    }

    /**
     * Queues a frame. Returns true when the caller must call {@link #drain()}, outside any lock,
     * so that a room can queue to many outboxes under its lock and start the sends after.
     */
    public boolean enqueue(String text) {
        synchronized (this) {
            if (closed || closeWhenDrained != null) {
                return false;
            }
            if (queue.size() >= limit) {
                closed = true;
                queue.clear();
                LOG.log(Level.INFO, "closing session {0}: its outbound queue passed {1} frames", session.getId(), limit);
                closeLater(OVERFLOW);
                return false;
            }
            queue.add(text);
            if (sending) {
                return false;
            }
            sending = true;
            return true;
        }
    }

    /** Queues a frame and starts sending it if nothing else is in flight. */
    public void send(String text) {
        if (enqueue(text)) {
            drain();
        }
    }

    /** Closes the session with {@code reason} once every frame queued before this call is sent. */
    public void closeAfterSending(CloseReason reason) {
        synchronized (this) {
            if (closed || closeWhenDrained != null) {
                return;
            }
            closeWhenDrained = reason;
            if (sending) {
                return;
            }
            closed = true;
        }
        closeLater(reason);
    }

    /** Drops whatever waits and closes the session with {@code reason}, even mid-send. */
    public void closeNow(CloseReason reason) {
        synchronized (this) {
            closed = true;
            queue.clear();
        }
        closeLater(reason);
    }

    /** The session is gone: drop whatever waits. */
    public void discard() {
        synchronized (this) {
            closed = true;
            queue.clear();
        }
    }

    /** Sends queued frames one at a time; only the caller that got {@code true} from enqueue runs it. */
    public void drain() {
        while (true) {
            String next;
            synchronized (this) {
                next = closed ? null : queue.poll();
                if (next == null) {
                    sending = false;
                    closeIfDrained();
                    return;
                }
                inSendCall = true;
                completedInCall = false;
            }
            try {
                session.getAsyncRemote().sendText(next, this::sent);
            } catch (RuntimeException e) {
                // IllegalStateException once the container has closed the session
                LOG.log(Level.DEBUG, "send on session {0} refused: {1}", session.getId(), e.toString());
                discard();
            }
            synchronized (this) {
                inSendCall = false;
                if (!completedInCall) {
                    return; // the completion callback continues the loop
                }
            }
        }
    }

    private void sent(SendResult result) {
        if (!result.isOK()) {
            LOG.log(Level.DEBUG, "send on session {0} failed: {1}", session.getId(), String.valueOf(result.getException()));
            discard();
        }
        synchronized (this) {
            if (inSendCall) {
                completedInCall = true; // completed inline: the loop in drain() goes on, no recursion
                return;
            }
        }
        drain();
    }

    /** Called with the lock held, once the queue is empty. */
    private void closeIfDrained() {
        if (closeWhenDrained != null && !closed) {
            closed = true;
            CloseReason reason = closeWhenDrained;
            closeLater(reason);
        }
    }

    private void closeLater(CloseReason reason) {
        try {
            closer.execute(() -> closeSession(reason));
        } catch (RejectedExecutionException e) {
            closeSession(reason); // the hub has shut down its closer: nothing is left to hold up
        }
    }

    private void closeSession(CloseReason reason) {
        try {
            if (session.isOpen()) {
                session.close(reason);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "closing session {0} failed: {1}", session.getId(), e.toString());
        }
    }
}

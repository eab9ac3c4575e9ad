package dev.jchat.room;

import dev.jchat.metrics.ChatMetrics;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.net.SocketTimeoutException;
import java.nio.channels.InterruptedByTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The frames waiting to go to one session. Thread-safe; any thread may queue.
 *
 * <p>At most one send is in flight on the session: the next one starts from the previous one's
 * completion (Tomcat throws {@code IllegalStateException} on overlapping sends). Queueing never
 * blocks. A connection is too slow, and is closed with 1013, when the oldest frame not yet sent
 * to it waited longer than the send timeout, or when the live frames waiting for it pass the
 * byte limit; what the server queues on join (welcome and backlog) does not count towards the
 * bytes, and its timeout starts at the join. A send that fails, or throws anything, closes this
 * connection alone with 1011; one the container gave up on for time, with 1013. Closing happens
 * on the {@link Closer}, never under this lock.
 *
 * <p>Nothing goes before the welcome: once {@link #holdUntilJoin} was called, frames queued
 * before the join (a pong, an error, a directory answered while the engine is still joining the
 * connection) are held, counted against the byte limit, and follow the welcome and its backlog in
 * the order they were queued. A refusal ({@link #refuse}) goes alone instead, without them.
 */
public final class Outbox {

    public static final CloseReason TOO_SLOW = new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, "too slow");
    public static final CloseReason SEND_FAILED =
            new CloseReason(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "could not send");
    private static final long NONE = Long.MIN_VALUE;

    private final Session session;
    private final FrameWriter writer;
    private final Closer closer;
    private final Runnable gone;
    private final long timeoutNanos;
    private final long maxBytes;
    private final ChatMetrics metrics;

    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private long queuedBytes;             // live frames waiting; the join's backlog is free
    private int freeAhead;                // frames at the head queued on join
    private long freeSince;               // when they were queued
    private long inFlightSince = NONE;    // start of the timeout of the oldest frame in flight
    private long[] inFlightStarts;        // each frame in flight's, for the send-time histogram
    private boolean sending;              // one thread owns the drain loop or a send is in flight
    private boolean inSendCall;           // the drain loop is inside sendText
    private boolean completedInCall;      // ...and that send has already completed
    private CloseReason closeWhenDrained;
    private boolean closed;
    private ArrayDeque<Frame> held;       // frames queued before the welcome, while it is awaited; else null
    private long heldBytes;

    /**
     * @param gone run once the session is closed by this outbox, so that the room forgets it even
     *             when the container never reports the close
     */
    public Outbox(Session session, FrameWriter writer, Closer closer, long timeoutNanos, long maxBytes,
                  ChatMetrics metrics, Runnable gone) {
        this.session = session;
        this.writer = writer;
        this.metrics = metrics;
        this.closer = closer;
        this.gone = gone;
        this.timeoutNanos = timeoutNanos;
        this.maxBytes = maxBytes;
    }

    /** From now until {@link #enqueueJoin}, frames queued are held for after the welcome. */
    public synchronized void holdUntilJoin() {
        if (!closing() && queue.isEmpty() && !sending) {
            held = new ArrayDeque<>();
        }
    }

    /**
     * Queues a live frame. Returns true when the caller must call {@link #drain()}, outside any
     * lock, so that a room can queue to many outboxes under its lock and start the sends after.
     */
    public boolean enqueue(Frame frame) {
        synchronized (this) {
            if (closing()) {
                return false;
            }
            if (held != null) {
                // Waiting for the welcome: bounded like the queue, as a client can ask for pongs meanwhile.
                if (heldBytes > 0 && heldBytes + frame.bytes() > maxBytes) {
                    giveUp(TOO_SLOW, false);
                } else {
                    held.add(frame);
                    heldBytes += frame.bytes();
                }
                return false;
            }
            // a frame bigger than the limit still goes to a connection that has nothing else waiting
            if (queuedBytes > 0 && queuedBytes + frame.bytes() > maxBytes || staleAt(frame.queuedAt())) {
                giveUp(TOO_SLOW, sending);
                return false;
            }
            queue.add(frame);
            queuedBytes += frame.bytes();
            return startSending();
        }
    }

    /**
     * Queues what a connection gets as it joins: its welcome and the history it should see. The
     * server chose to send these, so they cost nothing of the byte limit; their send timeout starts
     * now. Returns true when the caller must call {@link #drain()}.
     */
    public boolean enqueueJoin(Frame welcome, List<Frame> backlog) {
        synchronized (this) {
            if (closing()) {
                return false;
            }
            if (!queue.isEmpty()) {
                // Only an outbox that did not hold until its join gets here (a member's always
                // does, see holdUntilJoin): queued behind what waits, they count as live frames
                // of now, not of when they were first sent.
                queue.add(welcome);
                queuedBytes += welcome.bytes();
                for (Frame old : backlog) {
                    queue.add(new Frame(old.json(), old.bytes(), welcome.queuedAt()));
                    queuedBytes += old.bytes();
                }
                releaseHeld(welcome.queuedAt());
                return startSending();
            }
            freeAhead = 1 + backlog.size();
            freeSince = welcome.queuedAt();
            queue.add(welcome);
            queue.addAll(backlog);
            releaseHeld(welcome.queuedAt());
            return startSending();
        }
    }

    /**
     * Queues {@code error} and closes with {@code reason} once it is sent: a refusal, which goes
     * alone. Before the welcome, what was held for after it is dropped, and no welcome follows.
     */
    public void refuse(Frame error, CloseReason reason) {
        boolean drain;
        synchronized (this) {
            if (closing()) {
                return;
            }
            held = null;
            heldBytes = 0;
            queue.add(error);
            queuedBytes += error.bytes();
            closeWhenDrained = reason;
            drain = startSending();
        }
        if (drain) {
            drain();
        }
    }

    /** Queues a frame and starts sending it if nothing else is in flight. */
    public void send(Frame frame) {
        if (enqueue(frame)) {
            drain();
        }
    }

    /** Whether the container says the session is closed, whether or not it told the endpoint yet. */
    public boolean sessionClosed() {
        return !session.isOpen();
    }

    /** True once a close is decided: nothing more is queued, and the connection's own frames are to be ignored. */
    public synchronized boolean closing() {
        return closed || closeWhenDrained != null;
    }

    /**
     * Closes the session with {@code reason} once every frame queued before this call is sent, or
     * when those frames pass the send timeout, whichever comes first.
     */
    public void closeAfterSending(CloseReason reason) {
        synchronized (this) {
            if (closing()) {
                return;
            }
            closeWhenDrained = reason;
            if (sending) {
                return;
            }
            closed = true;
        }
        closer.close(session, reason, false, gone);
    }

    /**
     * Drops whatever waits and closes the session with {@code reason}, even mid-send. With
     * {@code drop}, for a peer that may have stopped reading, its TCP connection is dropped too.
     */
    public void closeNow(CloseReason reason, boolean drop) {
        synchronized (this) {
            if (closed) {
                return;
            }
            giveUp(reason, drop && sending);
        }
    }

    /**
     * Closes the session when what waits for it is older than the send timeout: the check for a
     * peer that stopped reading while nothing new is queued for it. Called periodically.
     */
    public void closeIfStale(long now) {
        synchronized (this) {
            if (!closed && staleAt(now)) {
                giveUp(closeWhenDrained != null ? closeWhenDrained : TOO_SLOW, sending);
            }
        }
    }

    /** The session is gone: drop whatever waits. */
    public synchronized void discard() {
        closed = true;
        clear();
    }

    /**
     * Sends queued frames, one send at a time, each taking as many waiting frames as the writer
     * takes at once; only the caller that got {@code true} from enqueue runs it.
     */
    public void drain() {
        while (true) {
            List<Frame> next;
            synchronized (this) {
                Frame first = closed ? null : queue.poll();
                if (first == null) {
                    sending = false;
                    inFlightSince = NONE;
                    closeIfDrained();
                    return;
                }
                int count = Math.min(writer.batch(), 1 + queue.size());
                inFlightStarts = new long[count];
                inFlightStarts[0] = take(first);
                inFlightSince = inFlightStarts[0];
                if (count == 1) {
                    next = List.of(first);
                } else {
                    next = new ArrayList<>(count);
                    next.add(first);
                    for (int i = 1; i < count; i++) {
                        Frame frame = queue.poll();
                        inFlightStarts[i] = take(frame);
                        next.add(frame);
                    }
                }
                inSendCall = true;
                completedInCall = false;
            }
            try {
                writer.send(next, this::sent);
            } catch (RuntimeException | Error e) {
                // IllegalStateException once the container closed the session; anything else is the
                // container failing on this frame: this connection alone pays, the fan-out goes on.
                failed(e);
                if (e instanceof VirtualMachineError) {
                    throw e;
                }
            }
            synchronized (this) {
                inSendCall = false;
                if (!completedInCall) {
                    return; // the completion callback continues the loop
                }
            }
        }
    }

    /** With the lock held: a frame leaves the queue for a send; returns when its send timeout started. */
    private long take(Frame frame) {
        if (freeAhead > 0) {
            freeAhead--;
            return freeSince;
        }
        queuedBytes -= frame.bytes();
        return frame.queuedAt();
    }

    private void sent(SendResult result) {
        long now = System.nanoTime();
        long[] starts;
        boolean inline;
        synchronized (this) {
            starts = inFlightStarts;
            inFlightStarts = null;
            inFlightSince = NONE;
            inline = inSendCall;
            completedInCall = inline; // completed inline: the loop in drain() goes on, no recursion
        }
        if (!result.isOK()) {
            failed(result.getException());
        } else if (starts != null) {
            for (long start : starts) {
                metrics.delivered(start, now);
            }
        }
        if (!inline) {
            drain();
        }
    }

    private void failed(Throwable error) {
        synchronized (this) {
            if (closed) {
                return; // closed by us or by the peer: a refused send is expected then
            }
            closer.failedSend(session, error);
            giveUp(timedOut(error) ? TOO_SLOW : SEND_FAILED, sending);
        }
    }

    /**
     * A send the container gave up on for time (Tomcat's write timeouts): the peer did not read
     * in time, which is what 1013 says, whichever timeout noticed it first.
     */
    private static boolean timedOut(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof SocketTimeoutException || e instanceof TimeoutException
                    || e instanceof InterruptedByTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** With the lock held. */
    private boolean startSending() {
        if (sending) {
            return false;
        }
        sending = true;
        return true;
    }

    /** With the lock held: whether the oldest frame not yet sent waited longer than the send timeout at {@code now}. */
    private boolean staleAt(long now) {
        long oldest = inFlightSince != NONE ? inFlightSince
                : freeAhead > 0 ? freeSince
                : queue.isEmpty() ? NONE : queue.peek().queuedAt();
        return oldest != NONE && now - oldest > timeoutNanos;
    }

    /**
     * With the lock held: closes, dropping what waits; the close itself runs on the closer. With
     * {@code drop} (a send is stuck in flight) the TCP connection is dropped as well, as the close
     * frame would wait behind data the peer does not read.
     */
    private void giveUp(CloseReason reason, boolean drop) {
        closed = true;
        clear();
        closer.close(session, reason, drop, gone);
    }

    private void clear() {
        queue.clear();
        queuedBytes = 0;
        freeAhead = 0;
        held = null;
        heldBytes = 0;
    }

    /** With the lock held: what waited for the welcome follows it, as live frames of {@code now}. */
    private void releaseHeld(long now) {
        if (held != null) {
            for (Frame frame : held) {
                queue.add(frame.queuedAt() == now ? frame : new Frame(frame.json(), frame.bytes(), now));
                queuedBytes += frame.bytes();
            }
            held = null;
            heldBytes = 0;
        }
    }

    /** With the lock held, once the queue is empty. */
    private void closeIfDrained() {
        if (closeWhenDrained != null && !closed) {
            closed = true;
            closer.close(session, closeWhenDrained, false, gone);
        }
    }
}

package dev.jchat.connection;

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
 * One connection's writer: what waits to go to its session, in order, and the one send in flight.
 * Thread-safe: any thread may queue, and queueing never blocks; one monitor ({@code this}) guards
 * all mutable state, and nothing calls the container or closes a session under it.
 *
 * <p>What waits is one queue of items, in the order they go out. A {@link Send} carries its frame,
 * when its send timeout started, and whether it counts against the byte limit; a {@link Close} is
 * queued after the frames it waits for, so "close once what is queued is sent" comes from order.
 * The rules, each tested on its own in {@code OutboxTest}:
 * <ul>
 * <li>One send in flight on the session (Tomcat throws {@code IllegalStateException} on overlapping
 *     sends): one writer at a time ({@link #drain}) polls under the lock and sends outside it, up to
 *     {@link FrameWriter#batch()} frames in one send; the next send starts from the previous one's
 *     completion, in the same loop when the container completes inside the call.
 * <li>Too slow, closed with 1013: the oldest frame not yet sent waited longer than the send
 *     timeout, or the counted bytes waiting would pass {@code CHAT_OUTBOX_BYTES} (a frame larger
 *     than the limit still goes to a connection with nothing counted waiting).
 * <li>A join's welcome and backlog: the server chose to send them, so they do not count against
 *     the bytes, and their timeout starts at the join. Queued behind frames still waiting
 *     (protocol version 3: a join to one more room while the connection is busy, or many rooms
 *     subscribed at once after a reconnect), the backlog still does not count: its frames are the
 *     ones the room's history holds anyway, a reference each; the welcome, made for this join
 *     alone, does. A reader too slow for them meets the send timeout.
 * <li>Nothing before the welcome: once {@link #holdUntilJoin} was called, frames queued before the
 *     join (a pong, an error, a directory answered while the engine is still joining the
 *     connection) are held, counted against the bytes, and follow the welcome and its backlog in
 *     the order they were queued. A refusal ({@link #refuse}) goes alone instead, without them.
 * <li>A send that fails, or throws anything, closes this connection alone with 1011; one the
 *     container gave up on for time, with 1013.
 * <li>Closing happens on the {@link Closer}: after what is queued ({@link #closeAfterSending}),
 *     or at once, dropping what waits ({@link #closeNow}, and the closes above). A close at once
 *     while a send is in flight drops the TCP connection too ({@link #closeNow}: when asked), as
 *     the close frame would wait behind data the peer does not read.
 * </ul>
 */
public final class Outbox {

    public static final CloseReason TOO_SLOW = new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, "too slow");
    public static final CloseReason SEND_FAILED =
            new CloseReason(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "could not send");

    /** An item of the queue: a frame to send, or the close that follows the frames before it. */
    private sealed interface Item permits Send, Close { }

    /**
     * A frame waiting to go.
     *
     * @param since   {@link System#nanoTime()} when its send timeout started: its deadline is
     *                {@code since} plus the send timeout, and its send time is measured from it
     * @param counted whether its bytes count against the byte limit until it is handed to a send
     */
    private record Send(Frame frame, long since, boolean counted) implements Item { }

    /** Closes the session with {@code reason} once every item before it is sent; always the last item. */
    private record Close(CloseReason reason) implements Item { }

    /** Where the one writer is. Any state but IDLE means a thread owns the loop or a send is in flight. */
    private enum Writer {
        /** Nobody is sending: whoever queues next starts the loop. */
        IDLE,
        /** A thread runs {@link #drain}, or got {@code true} from enqueue and is to call it. */
        DRAINING,
        /** {@link #drain} is inside the container's send. */
        IN_CALL,
        /** ...and that send already completed: the loop goes on, rather than the completion recursing into it. */
        DONE_IN_CALL,
        /** The container holds the send; its completion runs {@link #drain}. */
        IN_FLIGHT
    }

    private final Session session;         // the connection written to; closed only through the closer
    private final FrameWriter frameWriter; // how frames reach the session: one a send, or several in one write
    private final Closer closer;           // closes the session off this lock and off the sender's thread
    private final Runnable gone;           // after this outbox's close: the room forgets the connection
    private final long timeoutNanos;       // CHAT_SEND_TIMEOUT_SECONDS: how long the oldest frame not yet sent may wait
    private final long maxBytes;           // CHAT_OUTBOX_BYTES: how many counted bytes may wait
    private final ChatMetrics metrics;     // deliveries and their send times

    private final ArrayDeque<Item> queue = new ArrayDeque<>(); // what waits to go, in order; a Close comes last
    private ArrayDeque<Frame> held;      // frames for after the welcome, while it is awaited; else null
    private long queuedBytes;            // bytes of counted frames held or queued, not yet handed to a send
    private Writer writer = Writer.IDLE; // where the one writer is
    private List<Send> inFlight;         // the frames of the send in flight, until it completes; else null
    private boolean closed;              // the close is handed to the closer, or the session is gone: nothing more goes

    /**
     * @param gone run once the session is closed by this outbox, so that the room forgets it even
     *             when the container never reports the close
     */
    public Outbox(Session session, FrameWriter frameWriter, Closer closer, long timeoutNanos, long maxBytes,
                  ChatMetrics metrics, Runnable gone) {
        this.session = session;
        this.frameWriter = frameWriter;
        this.metrics = metrics;
        this.closer = closer;
        this.gone = gone;
        this.timeoutNanos = timeoutNanos;
        this.maxBytes = maxBytes;
    }

    /** From now until {@link #enqueueJoin}, frames queued are held for after the welcome. */
    public synchronized void holdUntilJoin() {
        if (!closing() && queue.isEmpty() && writer == Writer.IDLE) {
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
            // a frame bigger than the limit still goes to a connection that has nothing else waiting
            if (queuedBytes > 0 && queuedBytes + frame.bytes() > maxBytes || staleAt(frame.queuedAt())) {
                giveUp(TOO_SLOW, writer != Writer.IDLE);
                return false;
            }
            queuedBytes += frame.bytes();
            if (held != null) {
                held.add(frame); // its timeout starts with the welcome
                return false;
            }
            queue.add(new Send(frame, frame.queuedAt(), true));
            return startWriter();
        }
    }

    /**
     * Queues what a connection gets as it joins a room: its welcome and the history it should see,
     * then what was held for after the welcome. The server chose to send these, so they cost
     * nothing of the byte limit, whatever waits before them; their send timeout starts now.
     * Returns true when the caller must call {@link #drain()}.
     */
    public boolean enqueueJoin(Frame welcome, List<Frame> backlog) {
        synchronized (this) {
            if (closing()) {
                return false;
            }
            long now = welcome.queuedAt();
            // The backlog is not counted even behind frames still waiting: else a page that subscribes
            // again to its twenty rooms after a reconnect could pass the byte limit with backlogs
            // alone, be closed with 1013, reconnect, and do it again. Its frames are the history's.
            // A welcome is made for this join alone: behind waiting frames it counts, so that
            // subscribing and unsubscribing in a loop without reading meets the limit.
            boolean behind = !queue.isEmpty();
            if (behind && queuedBytes > 0 && queuedBytes + welcome.bytes() > maxBytes) {
                giveUp(TOO_SLOW, writer != Writer.IDLE);
                return false;
            }
            queue(new Send(welcome, now, behind));
            for (Frame old : backlog) {
                queue(new Send(old, now, false));
            }
            if (held != null) {
                for (Frame frame : held) {
                    queue.add(new Send(frame, now, true)); // counted since it was held
                }
                held = null;
            }
            return startWriter();
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
            dropHeld();
            queue(new Send(error, error.queuedAt(), true));
            queue.add(new Close(reason));
            drain = startWriter();
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
        return closed || queue.peekLast() instanceof Close;
    }

    /**
     * Closes the session with {@code reason} once every frame queued before this call is sent, or
     * when those frames pass the send timeout, whichever comes first. What was held for after a
     * welcome not yet queued never goes.
     */
    public void closeAfterSending(CloseReason reason) {
        boolean drain;
        synchronized (this) {
            if (closing()) {
                return;
            }
            dropHeld();
            queue.add(new Close(reason));
            drain = startWriter(); // idle, so nothing else waits: the loop only hands the close to the closer
        }
        if (drain) {
            drain();
        }
    }

    /**
     * Drops whatever waits and closes the session with {@code reason}, even mid-send, and even when
     * a close after sending was queued. With {@code drop}, for a peer that may have stopped
     * reading, its TCP connection is dropped too.
     */
    public void closeNow(CloseReason reason, boolean drop) {
        synchronized (this) {
            if (!closed) {
                giveUp(reason, drop && writer != Writer.IDLE);
            }
        }
    }

    /**
     * Closes the session when what waits for it is older than the send timeout: the check for a
     * peer that stopped reading while nothing new is queued for it. Called periodically. A close
     * queued after those frames happens now, with its own reason.
     */
    public void closeIfStale(long now) {
        synchronized (this) {
            if (!closed && staleAt(now)) {
                giveUp(queue.peekLast() instanceof Close close ? close.reason() : TOO_SLOW, writer != Writer.IDLE);
            }
        }
    }

    /** The session is gone: drop whatever waits. */
    public synchronized void discard() {
        closed = true;
        clear();
    }

    /**
     * The writer's loop: sends what waits, one send at a time, each taking as many waiting frames
     * as the frame writer takes at once, and hands a queued close to the closer when it comes to
     * it. Only the caller that got {@code true} from enqueue runs it, outside any lock.
     */
    public void drain() {
        while (true) {
            List<Frame> frames;
            synchronized (this) {
                Item next = closed ? null : queue.poll();
                if (!(next instanceof Send first)) {
                    writer = Writer.IDLE;
                    if (next instanceof Close close) {
                        closed = true;
                        closer.close(session, close.reason(), false, gone);
                    }
                    return;
                }
                frames = take(first);
                writer = Writer.IN_CALL;
            }
            try {
                frameWriter.send(frames, this::sent);
            } catch (RuntimeException | Error e) {
                // IllegalStateException once the container closed the session; anything else is the
                // container failing on this frame: this connection alone pays, the fan-out goes on.
                failed(e);
                if (e instanceof VirtualMachineError) {
                    throw e;
                }
            }
            synchronized (this) {
                if (writer != Writer.DONE_IN_CALL) {
                    writer = Writer.IN_FLIGHT;
                    return; // the completion continues the loop
                }
                writer = Writer.DRAINING;
            }
        }
    }

    /**
     * With the lock held: {@code first} and the frames after it, up to a batch and never past a
     * close, become the send in flight; returns their frames.
     */
    private List<Frame> take(Send first) {
        uncount(first);
        int batch = Math.min(frameWriter.batch(), 1 + queue.size());
        if (batch == 1 || !(queue.peek() instanceof Send)) {
            inFlight = List.of(first);
            return List.of(first.frame());
        }
        List<Send> sends = new ArrayList<>(batch);
        List<Frame> frames = new ArrayList<>(batch);
        sends.add(first);
        frames.add(first.frame());
        while (sends.size() < batch && queue.peek() instanceof Send send) {
            queue.poll();
            uncount(send);
            sends.add(send);
            frames.add(send.frame());
        }
        inFlight = sends;
        return frames;
    }

    /** The container's completion of the send in flight, on any thread, maybe inside its send call. */
    private void sent(SendResult result) {
        long now = System.nanoTime();
        List<Send> done;
        boolean inCall;
        synchronized (this) {
            done = inFlight;
            inFlight = null;
            inCall = writer == Writer.IN_CALL;
            writer = inCall ? Writer.DONE_IN_CALL : Writer.DRAINING;
        }
        if (!result.isOK()) {
            failed(result.getException());
        } else if (done != null) {
            for (Send send : done) {
                metrics.delivered(send.since(), now);
            }
        }
        if (!inCall) {
            drain();
        }
    }

    private void failed(Throwable error) {
        synchronized (this) {
            if (closed) {
                return; // closed by us or by the peer: a refused send is expected then
            }
            closer.failedSend(session, error);
            giveUp(timedOut(error) ? TOO_SLOW : SEND_FAILED, writer != Writer.IDLE);
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

    /** With the lock held: true when the caller is now the writer and must run {@link #drain}. */
    private boolean startWriter() {
        if (writer != Writer.IDLE) {
            return false;
        }
        writer = Writer.DRAINING;
        return true;
    }

    /** With the lock held: whether the oldest frame not yet sent waited longer than the send timeout at {@code now}. */
    private boolean staleAt(long now) {
        Send oldest = inFlight != null ? inFlight.get(0) : queue.peek() instanceof Send next ? next : null;
        return oldest != null && now - oldest.since() > timeoutNanos;
    }

    /** With the lock held. */
    private void queue(Send send) {
        queue.add(send);
        if (send.counted()) {
            queuedBytes += send.frame().bytes();
        }
    }

    /** With the lock held: {@code send} leaves the queue for the session. */
    private void uncount(Send send) {
        if (send.counted()) {
            queuedBytes -= send.frame().bytes();
        }
    }

    /** With the lock held: no welcome follows, nor what was held for after it. */
    private void dropHeld() {
        if (held != null) {
            for (Frame frame : held) {
                queuedBytes -= frame.bytes();
            }
            held = null;
        }
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
        held = null;
        queuedBytes = 0;
    }
}

package dev.jchat.connection;

import dev.jchat.room.Sends;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.logging.RepeatedEvents;
import dev.jchat.metrics.ChatMetrics;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox's rules, one test each, with writers whose sends complete when the test says: one
 * send in flight, the byte limit and the send timeout, the join's frames, nothing before the
 * welcome, refusals and the three ways to close.
 */
class OutboxTest {

    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(10);
    private static final CloseReason GOING_AWAY = new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "bye");
    private static final CloseReason REFUSED = new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "refused");

    private final ChatMetrics metrics = new ChatMetrics();
    private final AtomicBoolean dropped = new AtomicBoolean();
    private final Closer closer = new Closer(new RepeatedEvents(System.getLogger("test")), session -> {
        dropped.set(true);
        return true;
    }, metrics, new Threads());
    private final FakeSession session = new FakeSession("outbox", FakeSession.Sends.COMPLETE);
    private final ManualWriter writer = new ManualWriter();
    private final CountDownLatch gone = new CountDownLatch(1);

    @AfterEach
    void stop() {
        closer.shutdown();
        metrics.close();
    }

    /** One frame a send; completes a send when told, or inside the call once told to. Thread-safe. */
    private static final class ManualWriter implements FrameWriter {
        final List<String> sent = new CopyOnWriteArrayList<>();
        final List<Integer> stackDepths = new CopyOnWriteArrayList<>();
        private final Deque<SendHandler> pending = new ArrayDeque<>();
        volatile boolean completeInCall;

        @Override
        public void send(List<Frame> frames, SendHandler done) {
            frames.forEach(frame -> sent.add(frame.json()));
            stackDepths.add(Thread.currentThread().getStackTrace().length);
            if (completeInCall) {
                done.onResult(new SendResult());
            } else {
                synchronized (this) {
                    pending.add(done);
                }
            }
        }

        void completeOne() {
            SendHandler done;
            synchronized (this) {
                done = pending.remove();
            }
            done.onResult(new SendResult());
        }

        /** Completes sends until none is pending, each new one included. */
        void completeAll() {
            while (true) {
                synchronized (this) {
                    if (pending.isEmpty()) {
                        return;
                    }
                }
                completeOne();
            }
        }
    }

    private Outbox outbox(long maxBytes) {
        return new Outbox(session.session, writer, closer, TIMEOUT, maxBytes, metrics, gone::countDown);
    }

    private static Frame frame(String json, int bytes) {
        return new Frame(json, bytes, System.nanoTime());
    }

    /** The close code the session got; the outbox's close, run on the closer, is done by then. */
    private int closeCode() throws InterruptedException {
        assertTrue(gone.await(10, TimeUnit.SECONDS), "closed by the outbox");
        assertTrue(session.awaitClose(), "session closed");
        return session.closeReason.getCloseCode().getCode();
    }

    /** An outbox sending a, made at {@code queuedAt}, with b waiting, then a close after sending (1001). */
    private Outbox sendingAThenBThenClosing(long queuedAt) {
        Outbox outbox = outbox(1 << 20);
        outbox.send(Frame.of("a", queuedAt));
        outbox.send(Frame.of("b", queuedAt));
        outbox.closeAfterSending(GOING_AWAY);
        return outbox;
    }

    private static void join(Outbox outbox, Frame welcome, List<Frame> backlog) {
        if (outbox.enqueueJoin(welcome, backlog)) {
            outbox.drain();
        }
    }

    /** Takes up to four frames a send, and completes a send only when told. */
    private static final class BatchingWriter implements FrameWriter {
        final List<List<String>> sends = new ArrayList<>();
        final List<SendHandler> pending = new ArrayList<>();

        @Override
        public synchronized void send(List<Frame> frames, SendHandler done) {
            sends.add(frames.stream().map(Frame::json).toList());
            pending.add(done);
        }

        @Override
        public int batch() {
            return 4;
        }

        void completeOne() {
            SendHandler done;
            synchronized (this) {
                done = pending.remove(0);
            }
            done.onResult(new SendResult());
        }
    }

    @Test
    void framesThatWaitGoInFewSendsInOrderOneSendInFlight() throws Exception {
        FakeSession session = new FakeSession("batched", FakeSession.Sends.COMPLETE);
        BatchingWriter writer = new BatchingWriter();
        try (ChatMetrics metrics = new ChatMetrics()) {
            Outbox outbox = new Outbox(session.session, writer, new Closer(new RepeatedEvents(System.getLogger("test")),
                    Connections.NONE, metrics, new Threads()), TimeUnit.SECONDS.toNanos(10), 1 << 20, metrics, () -> { });
            for (int i = 1; i <= 10; i++) {
                outbox.send(Frame.of("f" + i)); // the first goes at once; the others wait for it
            }
            assertEquals(List.of(List.of("f1")), writer.sends, "one send in flight");
            for (int i = 0; i < 4; i++) {
                writer.completeOne();
            }
            assertEquals(List.of(List.of("f1"), List.of("f2", "f3", "f4", "f5"), List.of("f6", "f7", "f8", "f9"),
                    List.of("f10")), writer.sends, "what waited, four at a time, in order");
            assertEquals(10, metrics.scrape().lines()
                    .filter(line -> line.startsWith("chat_deliveries_total ")).mapToDouble(line -> Double.parseDouble(
                            line.substring(line.indexOf(' ') + 1))).sum(), "each frame counted once");
        }
    }

    /**
     * A send the container gave up on for time (Tomcat's write timeouts) means the peer did not
     * read in time: too slow, 1013, as the outbox's own send timeout says; any other failure is 1011.
     */
    @Test
    void aSendThatTimedOutClosesWith1013AndOtherFailuresWith1011() throws Exception {
        for (Throwable error : List.of(new java.net.SocketTimeoutException("write timed out"),
                new java.io.IOException("Broken pipe"))) {
            FakeSession session = new FakeSession("timed-out", FakeSession.Sends.COMPLETE);
            try (ChatMetrics metrics = new ChatMetrics()) {
                Outbox outbox = new Outbox(session.session, (frames, done) -> done.onResult(new SendResult(error)),
                        new Closer(new RepeatedEvents(System.getLogger("test")), Connections.NONE, metrics, new Threads()),
                        TimeUnit.SECONDS.toNanos(10), 1 << 20, metrics, () -> { });
                outbox.send(Frame.of("f1"));
                assertEquals(true, session.awaitClose());
                assertEquals(error instanceof java.net.SocketTimeoutException ? 1013 : 1011,
                        session.closeReason.getCloseCode().getCode(), error.toString());
            }
        }
    }

    @Test
    void oneSendInFlightTheNextStartsFromItsCompletion() {
        Outbox outbox = outbox(1 << 20);
        outbox.send(Frame.of("a"));
        outbox.send(Frame.of("b"));
        outbox.send(Frame.of("c"));
        assertEquals(List.of("a"), writer.sent);
        writer.completeOne();
        assertEquals(List.of("a", "b"), writer.sent);
        writer.completeOne();
        assertEquals(List.of("a", "b", "c"), writer.sent);
    }

    /** A container that completes inside its send call must not make the loop recurse, one frame deeper each time. */
    @Test
    void aCompletionInsideTheSendCallContinuesTheLoopWithoutRecursion() {
        Outbox outbox = outbox(1 << 20);
        outbox.send(Frame.of("first"));
        List<String> rest = IntStream.range(0, 1000).mapToObj(i -> "f" + i).toList();
        rest.forEach(json -> outbox.send(Frame.of(json)));
        writer.completeInCall = true;
        writer.completeOne();
        assertEquals(1001, writer.sent.size(), "all sent from one completion");
        assertEquals(rest, writer.sent.subList(1, 1001), "in order");
        List<Integer> depths = writer.stackDepths.subList(1, 1001);
        assertEquals(Collections.min(depths), Collections.max(depths), "each send from the same depth");
    }

    @Test
    void aSendThatThrowsClosesThisConnectionWith1011AndSendsNothingMore() throws Exception {
        List<String> tried = new ArrayList<>();
        Outbox outbox = new Outbox(session.session, (frames, done) -> {
            tried.add(frames.get(0).json());
            throw new IllegalArgumentException("cannot encode");
        }, closer, TIMEOUT, 1 << 20, metrics, gone::countDown);
        outbox.send(Frame.of("a"));
        outbox.send(Frame.of("b"));
        assertEquals(1011, closeCode());
        assertEquals(List.of("a"), tried);
    }

    @Test
    void liveFramesWaitingPastTheByteLimitCloseWith1013AndDropTheConnection() throws Exception {
        Outbox outbox = outbox(1000);
        outbox.send(frame("in flight", 900)); // handed to the session: no longer waiting
        outbox.send(frame("a", 400));
        outbox.send(frame("b", 400));
        assertFalse(outbox.closing(), "800 bytes wait");
        outbox.send(frame("c", 400));
        assertTrue(outbox.closing(), "1200 bytes would wait");
        assertEquals(1013, closeCode());
        assertTrue(dropped.get(), "a send is stuck in flight: the close frame would wait behind it");
        writer.completeAll();
        assertEquals(List.of("in flight"), writer.sent, "what waited is dropped");
    }

    @Test
    void aFrameLargerThanTheLimitStillGoesWhenNothingCountedWaits() throws Exception {
        Outbox outbox = outbox(100);
        outbox.send(frame("a", 10));
        outbox.send(frame("large", 500));
        assertFalse(outbox.closing(), "nothing waited before it");
        writer.completeOne();
        assertEquals(List.of("a", "large"), writer.sent);
        outbox.send(frame("b", 1)); // large is in flight: nothing waits
        outbox.send(frame("large again", 500));
        assertEquals(1013, closeCode(), "b waits");
    }

    @Test
    void theOldestFrameNotYetSentPastTheSendTimeoutClosesWith1013() throws Exception {
        Outbox outbox = outbox(1 << 20);
        long start = System.nanoTime();
        outbox.send(Frame.of("a", start));
        outbox.closeIfStale(start + TIMEOUT);
        assertFalse(outbox.closing(), "not older than the timeout");
        outbox.closeIfStale(start + TIMEOUT + 1);
        assertEquals(1013, closeCode());
    }

    @Test
    void aFrameQueuedOnceTheOldestPassedTheSendTimeoutClosesWith1013() throws Exception {
        Outbox outbox = outbox(1 << 20);
        long start = System.nanoTime();
        outbox.send(Frame.of("a", start));
        outbox.send(Frame.of("b", start + TIMEOUT + 1));
        assertEquals(1013, closeCode());
        writer.completeAll();
        assertEquals(List.of("a"), writer.sent);
    }

    @Test
    void aJoinsWelcomeAndBacklogDoNotCountAgainstTheBytes() {
        Outbox outbox = outbox(1000);
        outbox.holdUntilJoin();
        join(outbox, frame("welcome", 100), List.of(frame("h1", 900), frame("h2", 900), frame("h3", 900)));
        outbox.send(frame("live", 900));
        assertFalse(outbox.closing(), "only the live frame counts");
        writer.completeAll();
        assertEquals(List.of("welcome", "h1", "h2", "h3", "live"), writer.sent);
    }

    @Test
    void aJoinsSendTimeoutStartsAtTheJoin() throws Exception {
        Outbox outbox = outbox(1 << 20);
        long longAgo = System.nanoTime() - TimeUnit.HOURS.toNanos(1);
        long joined = System.nanoTime();
        outbox.holdUntilJoin();
        join(outbox, Frame.of("welcome", joined), List.of(Frame.of("h1", longAgo), Frame.of("h2", longAgo)));
        writer.completeOne();
        assertEquals(List.of("welcome", "h1"), writer.sent);
        outbox.closeIfStale(joined + TIMEOUT);
        assertFalse(outbox.closing(), "history made an hour ago is not late");
        outbox.closeIfStale(joined + TIMEOUT + 1);
        assertEquals(1013, closeCode());
    }

    @Test
    void nothingGoesBeforeTheWelcomeAndWhatWaitedFollowsItsBacklog() {
        Outbox outbox = outbox(1 << 20);
        outbox.holdUntilJoin();
        outbox.send(Frame.of("pong"));
        outbox.send(Frame.of("error"));
        assertEquals(List.of(), writer.sent);
        join(outbox, Frame.of("welcome"), List.of(Frame.of("h1")));
        writer.completeAll();
        assertEquals(List.of("welcome", "h1", "pong", "error"), writer.sent);
    }

    @Test
    void framesHeldForTheWelcomeCountAgainstTheBytes() throws Exception {
        Outbox outbox = outbox(1000);
        outbox.holdUntilJoin();
        outbox.send(frame("pong", 600));
        assertFalse(outbox.closing());
        outbox.send(frame("pong", 600));
        assertEquals(1013, closeCode());
        assertFalse(dropped.get(), "nothing was in flight");
        assertFalse(outbox.enqueueJoin(Frame.of("welcome"), List.of()), "no welcome after");
        assertEquals(List.of(), writer.sent);
    }

    @Test
    void framesHeldForTheWelcomeStartTheirSendTimeoutWithIt() {
        Outbox outbox = outbox(1 << 20);
        long longAgo = System.nanoTime() - TimeUnit.HOURS.toNanos(1);
        long joined = System.nanoTime();
        outbox.holdUntilJoin();
        outbox.send(Frame.of("pong", longAgo)); // the engine took an hour to join it
        join(outbox, Frame.of("welcome", joined), List.of());
        writer.completeOne();
        assertEquals(List.of("welcome", "pong"), writer.sent);
        outbox.closeIfStale(joined + TIMEOUT);
        assertFalse(outbox.closing());
    }

    @Test
    void aRefusalBeforeTheWelcomeGoesAloneThenCloses() throws Exception {
        Outbox outbox = outbox(1 << 20);
        outbox.holdUntilJoin();
        outbox.send(Frame.of("pong"));
        outbox.refuse(Frame.of("error"), REFUSED);
        assertTrue(outbox.closing());
        assertFalse(outbox.enqueueJoin(Frame.of("welcome"), List.of()));
        writer.completeAll();
        assertEquals(1008, closeCode());
        assertEquals(List.of("error"), writer.sent);
        assertFalse(dropped.get());
    }

    @Test
    void closeAfterSendingClosesOnceWhatWasQueuedBeforeIsSent() throws Exception {
        Outbox outbox = sendingAThenBThenClosing(System.nanoTime());
        assertTrue(outbox.closing());
        outbox.send(Frame.of("after the close"));
        assertEquals(1, gone.getCount(), "not closed while frames wait");
        writer.completeOne();
        assertEquals(1, gone.getCount(), "not closed while frames wait");
        writer.completeOne();
        assertEquals(1001, closeCode());
        assertEquals(List.of("a", "b"), writer.sent);
        assertFalse(dropped.get(), "closed in order, nothing stuck");
    }

    @Test
    void aBatchStopsAtAQueuedClose() throws Exception {
        BatchingWriter batching = new BatchingWriter();
        Outbox outbox = new Outbox(session.session, batching, closer, TIMEOUT, 1 << 20, metrics, gone::countDown);
        outbox.send(Frame.of("a"));
        outbox.send(Frame.of("b"));
        outbox.send(Frame.of("c"));
        outbox.closeAfterSending(GOING_AWAY);
        batching.completeOne();
        assertEquals(List.of(List.of("a"), List.of("b", "c")), batching.sends);
        assertEquals(1, gone.getCount(), "b and c are in flight");
        batching.completeOne();
        assertEquals(1001, closeCode());
    }

    @Test
    void closeAfterSendingWithNothingQueuedClosesAtOnce() throws Exception {
        Outbox outbox = outbox(1 << 20);
        outbox.closeAfterSending(GOING_AWAY);
        assertEquals(1001, closeCode());
        assertFalse(dropped.get());
    }

    @Test
    void aCloseAfterSendingWhoseFramesPassTheSendTimeoutHappensThenWithItsReason() throws Exception {
        long start = System.nanoTime();
        Outbox outbox = sendingAThenBThenClosing(start);
        outbox.closeIfStale(start + TIMEOUT + 1);
        assertEquals(1001, closeCode());
        assertTrue(dropped.get(), "a send is stuck in flight");
        writer.completeAll();
        assertEquals(List.of("a"), writer.sent);
    }

    @Test
    void closeNowDropsWhatWaitsEvenAQueuedClose() throws Exception {
        Outbox outbox = sendingAThenBThenClosing(System.nanoTime());
        outbox.closeNow(new CloseReason(CloseReason.CloseCodes.TOO_BIG, "frame too large"), false);
        assertEquals(1009, closeCode());
        assertFalse(dropped.get(), "not asked to drop");
        writer.completeAll();
        assertEquals(List.of("a"), writer.sent);
    }

    @Test
    void aDiscardedOutboxSendsNothingMore() {
        Outbox outbox = outbox(1 << 20);
        outbox.send(Frame.of("a"));
        outbox.send(Frame.of("b"));
        outbox.discard();
        assertTrue(outbox.closing());
        assertFalse(outbox.enqueue(Frame.of("c")));
        writer.completeAll();
        assertEquals(List.of("a"), writer.sent);
    }

    /**
     * Protocol version 3 joins a connection to a room while it is open and sending, once per
     * room: the welcome and backlog queue behind what waits, timed from the join.
     */
    @Test
    void aJoinOnAnOutboxAlreadySendingQueuesBehindWhatWaitsTimedFromTheJoin() throws Exception {
        Outbox outbox = outbox(1 << 20);
        outbox.holdUntilJoin();
        join(outbox, Frame.of("welcome 1"), List.of(Frame.of("h1")));
        writer.completeAll();
        outbox.send(Frame.of("a"));
        outbox.send(Frame.of("b"));
        long longAgo = System.nanoTime() - TimeUnit.HOURS.toNanos(1);
        long joined = System.nanoTime();
        assertFalse(outbox.enqueueJoin(Frame.of("welcome 2", joined), List.of(Frame.of("h2", longAgo))),
                "the running send goes on to it");
        outbox.send(Frame.of("c"));
        writer.completeOne();
        writer.completeOne();
        assertEquals(List.of("welcome 1", "h1", "a", "b", "welcome 2"), writer.sent);
        outbox.closeIfStale(joined + TIMEOUT);
        assertFalse(outbox.closing(), "the backlog is timed from the join");
        writer.completeAll();
        assertEquals(List.of("welcome 1", "h1", "a", "b", "welcome 2", "h2", "c"), writer.sent);
    }

    /**
     * Many rooms subscribed at once (a page's twenty after a reconnect) queue their backlogs
     * behind each other: they do not count, or the backlogs alone could close the connection.
     */
    @Test
    void aJoinBehindWaitingFramesDoesNotCountAgainstTheBytes() throws Exception {
        Outbox outbox = outbox(1000);
        outbox.holdUntilJoin();
        join(outbox, frame("welcome 1", 10), List.of());
        outbox.send(frame("a", 10)); // welcome 1 is in flight, a waits
        outbox.enqueueJoin(frame("welcome 2", 10), List.of(frame("h2", 900)));
        outbox.enqueueJoin(frame("welcome 3", 10), List.of(frame("h3", 900)));
        outbox.send(frame("b", 100));
        assertFalse(outbox.closing(), "only a and b count");
        outbox.send(frame("c", 900));
        assertEquals(1013, closeCode(), "live frames still count");
    }

    /** Subscribing and unsubscribing in a loop without reading: the welcomes add up to the limit. */
    @Test
    void welcomesBehindWaitingFramesCount() throws Exception {
        Outbox outbox = outbox(1000);
        outbox.holdUntilJoin();
        join(outbox, frame("welcome 1", 10), List.of());
        outbox.send(frame("a", 10)); // welcome 1 is in flight, a waits
        for (int i = 0; i < 9; i++) {
            outbox.enqueueJoin(frame("welcome", 100), List.of(frame("h", 900)));
        }
        assertFalse(outbox.closing(), "a and nine welcomes: 910 bytes counted");
        outbox.enqueueJoin(frame("welcome", 100), List.of());
        assertEquals(1013, closeCode());
    }

    @Test
    void aJoinOnAnIdleOpenOutboxIsFree() {
        Outbox outbox = outbox(1000);
        outbox.holdUntilJoin();
        join(outbox, frame("welcome 1", 10), List.of());
        writer.completeAll();
        join(outbox, frame("welcome 2", 10), List.of(frame("h2", 900), frame("h3", 900)));
        outbox.send(frame("a", 900));
        assertFalse(outbox.closing());
        writer.completeAll();
        assertEquals(List.of("welcome 1", "welcome 2", "h2", "h3", "a"), writer.sent);
    }
}

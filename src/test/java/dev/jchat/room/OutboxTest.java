package dev.jchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jchat.logging.RepeatedEvents;
import dev.jchat.metrics.ChatMetrics;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The outbox with a writer that takes several frames at once, as the standalone server's does. */
class OutboxTest {

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
}

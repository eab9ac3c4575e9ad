package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jchat.config.ChatConfig;
import dev.jchat.TestClient;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The publish deadline when the server's clock and Redis' disagree: a chat server on a real
 * redis-server whose clock (the one it reckons deadlines on) is stepped and made to drift mid-run,
 * as an NTP step or a resumed VM would do to one of the two machines.
 */
class RedisClockTest {

    private RedisServer redis;
    private EmbeddedServer server;
    private final RoomClients clients = new RoomClients();
    private final SkewedClock clock = new SkewedClock();
    private TestClient ann;
    private TestClient bob;
    private int lastId;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        server = EmbeddedServer.start(ChatConfig.defaults().withHost("127.0.0.1").withPort(0)
                .withSecurity(ChatConfig.Security.defaults().withRate(0, 0))
                .withEngine(ChatConfig.Engine.inMemory().withRedis(redis.url(), "chat")));
        ((RedisRooms) server.hub().rooms()).clock(clock);
        ann = clients.join(server.chatUri(), "ann");
        bob = clients.join(server.chatUri(), "bob");
        ann.next("join");
        sayAndSeeEchoed("before any step");
    }

    @AfterEach
    void stop() throws Exception {
        clients.close();
        if (server != null) {
            server.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aClockSteppedBackOrAheadByMoreThanTheDeadlineKeepsEveryMessagePublished() throws Exception {
        clock.step(-2_500); // the server's clock now runs 2.5 s behind Redis' against what was measured
        for (int i = 0; i < 5; i++) {
            sayAndSeeEchoed("right after a step back " + i);
        }
        Thread.sleep(1_500);
        for (int i = 0; i < 3; i++) {
            sayAndSeeEchoed("a while after a step back " + i);
        }
        clock.step(5_000); // now 2.5 s ahead
        for (int i = 0; i < 5; i++) {
            sayAndSeeEchoed("right after a step ahead " + i);
        }
        Thread.sleep(1_500);
        for (int i = 0; i < 3; i++) {
            sayAndSeeEchoed("a while after a step ahead " + i);
        }
    }

    @Test
    void aClockDriftingAgainstRedisKeepsEveryMessagePublished() throws Exception {
        // far faster than a real drift (this host's is about 5 ms/s), so that it adds up to more
        // than the deadline within the test: half a second per second, each way
        for (double rate : new double[] {-0.5, 0.5}) {
            clock.drift(rate);
            for (int i = 0; i < 25; i++) {
                sayAndSeeEchoed("drifting " + rate + " " + i);
                Thread.sleep(200);
            }
        }
    }

    @Test
    void aMessageRefusedDuringAStallIsNeverPublishedLaterWithTheClockSteppedAhead() throws Exception {
        clock.step(3_000);
        Thread.sleep(1_500); // a second is how long the server takes to notice
        sayAndSeeEchoed("after the step");
        Thread stall = new Thread(() -> busyRedis(4_500), "stall");
        stall.start();
        awaitBusy();
        ann.say("sent while Redis stalls");
        // the command times out after 3 s: the sender is told, and Redis must never publish it
        // when it wakes, although the deadline is checked on its clock
        JsonObject refused = nextNotPresence(ann);
        assertEquals("error", refused.getString("type"), () -> "expected unavailable, got " + refused);
        assertEquals("unavailable", refused.getString("code"));
        stall.join();
        Thread.sleep(500);
        sayAndSeeEchoed("after the stall");
    }

    /** Sends from ann; both must get it with the next id, and nothing else but presence before it. */
    private void sayAndSeeEchoed(String msg) {
        ann.say(msg);
        lastId++;
        for (TestClient client : new TestClient[] {ann, bob}) {
            JsonObject frame = nextNotPresence(client);
            assertEquals("chat", frame.getString("type"), () -> "\"" + msg + "\" was not published: " + frame);
            assertEquals(msg, frame.getString("msg"));
            assertEquals(lastId, frame.getInt("id"));
        }
    }

    private static JsonObject nextNotPresence(TestClient client) {
        while (true) {
            JsonObject frame = client.next();
            String type = frame.getString("type", "");
            if (!type.equals("join") && !type.equals("leave") && !type.equals("typing")) {
                return frame;
            }
        }
    }

    /** Waits until Redis answers nobody: a PING gets no answer within 300 ms. */
    private void awaitBusy() {
        long deadline = System.nanoTime() + 1_500_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket("127.0.0.1", redis.port())) {
                socket.setSoTimeout(300);
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.UTF_8));
                socket.getInputStream().read();
            } catch (java.net.SocketTimeoutException e) {
                return;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("Redis never got busy");
    }

    /** Keeps Redis busy in one script for {@code millis} (past 5 s it would answer BUSY): it answers nobody meanwhile. */
    private void busyRedis(long millis) {
        String script = "local t = redis.call('TIME') local s = t[1] * 1000 + math.floor(t[2] / 1000)"
                + " local n = s while n - s < " + millis + " do t = redis.call('TIME')"
                + " n = t[1] * 1000 + math.floor(t[2] / 1000) end return 1";
        try (Socket socket = new Socket("127.0.0.1", redis.port())) {
            socket.setSoTimeout((int) millis + 5_000);
            socket.getOutputStream().write(("EVAL \"" + script + "\" 0\r\n").getBytes(StandardCharsets.UTF_8));
            InputStream in = socket.getInputStream();
            int c = in.read();
            assertEquals(':', (char) c, "the stalling script ran");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The wall of a monotonic clock, stepped and drifting at will. Thread-safe. */
    private static final class SkewedClock implements LongSupplier {
        private long skew;
        private double rate;
        private long driftSince;

        synchronized void step(long millis) {
            skew += millis;
        }

        synchronized void drift(double perMilli) {
            long now = real();
            skew += (long) ((now - driftSince) * rate); // what the last drift added, kept
            driftSince = now;
            rate = perMilli;
        }

        @Override
        public synchronized long getAsLong() {
            long now = real();
            return now + skew + (long) ((now - driftSince) * rate);
        }

        private static long real() {
            return System.nanoTime() / 1_000_000;
        }
    }
}

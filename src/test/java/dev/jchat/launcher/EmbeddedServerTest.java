package dev.jchat.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.config.ConfigException;
import dev.jchat.RawClient;
import dev.jchat.TestClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.ConnectionProbe;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.junit.jupiter.api.Test;

/** What only the embedded launcher does: its own port, its shutdown, the page's content types. */
class EmbeddedServerTest {

    private static URI uri(EmbeddedServer server, String query) {
        return URI.create(server.chatUri() + "?" + query);
    }

    private static TestClient welcomed(URI uri) {
        TestClient client = TestClient.connect(uri);
        client.welcome();
        return client;
    }

    private static final int PING = 9;
    private static final int PONG = 10;

    /**
     * The chat's frames and Tyrus' pongs share one writer per connection, which writes straight to
     * the socket only when nothing waits in the transport's queue: a reader that pauses past the
     * socket buffers, pinging all the while, then reads again must get every frame whole and in
     * order, its pongs included.
     */
    @Test
    void aReaderThatPausesGetsEveryFrameWholeAndInOrderWithThePongsItAskedFor() throws Exception {
        ChatConfig config = ChatConfig.defaults().withPort(0).withOutbound(30, 64 << 20).withLimits(30_000, 65_536)
                .withSecurity(ChatConfig.Security.defaults().withRate(0, 0));
        try (EmbeddedServer server = EmbeddedServer.start(config);
             RawClient paused = RawClient.connect(uri(server, "user=paused&room=r"), 4_096);
             TestClient sender = welcomed(uri(server, "user=sender&room=r"))) {
            assertEquals("welcome", json(paused.read()).getString("type"));
            // about 6 MB while it reads nothing: more than loopback's socket buffers hold, so the
            // server's writes stop part way and the rest waits in the transport's queue
            String big = "x".repeat(29_000);
            int count = 200;
            int pings = 0;
            for (int i = 0; i < count; i++) {
                sender.say(i + big);
                sender.nextChat();
                if (i % 10 == 5) {
                    paused.write(RawClient.frame(PING, ("ping " + pings++).getBytes(StandardCharsets.UTF_8)));
                }
            }
            int chats = 0;
            int pongs = 0;
            int read = 0;
            while (chats < count || pongs < pings) {
                RawClient.Received frame = paused.read();
                if (++read % 20 == 0) { // more pings while what waited drains
                    paused.write(RawClient.frame(PING, ("ping " + pings++).getBytes(StandardCharsets.UTF_8)));
                }
                if (frame.opcode() == PONG) {
                    assertEquals("ping " + pongs++, new String(frame.payload(), StandardCharsets.UTF_8), "pongs in order");
                    continue;
                }
                assertEquals(RawClient.TEXT, frame.opcode(), "a whole text frame, not " + frame.opcode());
                JsonObject json = json(frame);
                if (json.getString("type").equals("chat")) {
                    assertEquals(chats++ + big, json.getString("msg"), "chats in order");
                }
            }
            sender.say("after");
            assertEquals("after", json(paused.read()).getString("msg"), "and it goes on live");
        }
    }

    private static JsonObject json(RawClient.Received frame) {
        return Json.createReader(new StringReader(frame.text())).readObject();
    }

    @Test
    void aClientThatStopsReadingIsClosedWith1013WhileTheOthersGetEverything() throws Exception {
        ChatConfig config = ChatConfig.defaults().withPort(0).withOutbound(10, 4 << 20).withLimits(30_000, 65_536)
                .withSecurity(ChatConfig.Security.defaults().withRate(0, 0));
        try (EmbeddedServer server = EmbeddedServer.start(config);
             TestClient slow = welcomed(uri(server, "user=slow&room=r"));
             TestClient fast = welcomed(uri(server, "user=fast&room=r"));
             TestClient sender = welcomed(uri(server, "user=sender&room=r"))) {
            slow.next("join");
            slow.next("join");
            fast.next("join");
            slow.pauseReading();

            // about 30 MB for the stalled reader: more than loopback's socket buffers on both sides hold
            String big = "x".repeat(29_000);
            int count = 1_000;
            Thread reader = new Thread(() -> {
                for (int i = 0; i < count; i++) {
                    if (sender.next().getString("type").equals("leave")) {
                        i--;
                    }
                }
            });
            reader.start();
            for (int i = 0; i < count; i++) {
                sender.say(i + big);
            }
            int leaves = 0;
            for (int i = 0; i < count; i++) {
                JsonObject frame = fast.next();
                if (frame.getString("type").equals("leave")) {
                    assertEquals("slow", frame.getString("user"));
                    leaves++;
                    frame = fast.next();
                }
                assertEquals(i + 1, frame.getJsonNumber("id").longValue(), "the fast reader misses nothing");
            }
            assertEquals(1, leaves, "the stalled reader was closed before the sender finished");
            reader.join(TimeUnit.SECONDS.toMillis(30));

            slow.resumeReading();
            // Its close frame waits behind what it never read, so the server drops the connection too.
            TestClient.Event end = slow.nextEventSkippingText();
            assertTrue(end instanceof TestClient.Failed || (end instanceof TestClient.Closed closed && (closed.code() == 1013 || closed.code() == 1006)),
                    () -> "the stalled reader is closed with 1013 or dropped, not " + end);
            assertTrue(fast.isOpen());
        }
    }

    @Test
    void tyrusKeepsNoIdleTimerPerSession() throws Exception {
        ChatConfig config = ChatConfig.defaults().withPort(0).withSecurity(ChatConfig.Security.defaults().withRate(0, 0));
        try (EmbeddedServer server = EmbeddedServer.start(config)) {
            List<TestClient> clients = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                clients.add(welcomed(uri(server, "user=reader" + i + "&room=timers")));
            }
            TestClient sender = clients.get(0);
            for (int i = 0; i < 250; i++) {
                sender.say("m" + i);
            }
            for (TestClient client : clients) {
                int chats = 0;
                while (chats < 250) {
                    if (client.next().getString("type").equals("chat")) {
                        chats++;
                    }
                }
            }
            // the hub closes idle connections itself: Tyrus keeps no idle timer, which it would
            // restart on each of these 5000 deliveries and 250 receipts
            assertEquals(0, server.containerTimers(), () -> server.containerTimers() + " timers are queued");
            clients.forEach(TestClient::close);
        }
    }

    @Test
    void anOpenChatConnectionHoldsNoHttpRequestAndItsFramesStillArrive() throws Exception {
        ChatConfig config = ChatConfig.defaults().withPort(0).withSecurity(ChatConfig.Security.defaults().withRate(0, 0));
        try (EmbeddedServer server = EmbeddedServer.start(config)) {
            Set<Connection<?>> accepted = ConcurrentHashMap.newKeySet(); // from now on, by their first read
            server.transport().getConnectionMonitoringConfig().addProbes(new ConnectionProbe.Adapter() {
                @Override
                public void onReadEvent(Connection connection, Buffer data, int size) {
                    accepted.add(connection);
                }
            });
            List<TestClient> clients = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                clients.add(welcomed(uri(server, "user=user" + i + "&room=http")));
            }
            // idle since their handshake: the request goes once the handshake's read is done, which
            // may be just after the welcome reached the client (it is written during that read)
            assertEquals(10, accepted.size());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (Connection<?> connection : accepted) {
                while (connection.getAttributes().getAttribute(HttpServerFilter.HTTP_SERVER_REQUEST_ATTR_NAME) != null
                        && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertNull(connection.getAttributes().getAttribute(HttpServerFilter.HTTP_SERVER_REQUEST_ATTR_NAME),
                        "Grizzly still holds the upgrade request of " + connection);
            }
            clients.get(0).say("past the HTTP filter");
            for (TestClient client : clients) {
                JsonObject chat = client.nextChat();
                assertEquals("past the HTTP filter", chat.getString("msg"));
            }
            clients.forEach(TestClient::close);
        }
    }

    @Test
    void manyShortConnectionsEachGetTheirWelcome() throws Exception {
        // Regression: Tyrus closed a fresh session "for idle timeout" at once when the endpoint
        // changed its timeout in @OnOpen, racing the timer its old value (0) had set.
        try (EmbeddedServer server = EmbeddedServer.start(ChatConfig.defaults().withPort(0).withIdleTimeoutSeconds(5))) {
            for (int i = 0; i < 300; i++) {
                try (TestClient client = TestClient.connect(uri(server, "user=user" + i + "&room=r" + i))) {
                    client.welcome();
                }
            }
        }
    }

    @Test
    void withAHostItListensOnThatAddressAlone() throws Exception {
        // Linux answers on all of 127.0.0.0/8; elsewhere 127.0.0.2 may not exist.
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.2"))) {
            assumeTrue(probe.isBound());
        } catch (IOException e) {
            assumeTrue(false, "this machine has no 127.0.0.2: " + e);
        }
        try (EmbeddedServer server = EmbeddedServer.start(ChatConfig.defaults().withHost("127.0.0.2").withPort(0))) {
            assertEquals(URI.create("ws://127.0.0.2:" + server.port() + "/chat"), server.chatUri());
            try (TestClient client = TestClient.connect(uri(server, "user=ann"))) {
                assertEquals("ann", client.welcome().getString("user"));
            }
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", server.port()).close(),
                    "nothing listens on 127.0.0.1");
        }
    }

    @Test
    void stoppingClosesEveryConnectionWith1001() throws Exception {
        EmbeddedServer server = EmbeddedServer.start(ChatConfig.defaults().withPort(0));
        TestClient a = TestClient.connect(uri(server, "user=alice"));
        TestClient b = TestClient.connect(uri(server, "room=other"));
        a.welcome();
        b.welcome();
        server.close();
        assertEquals(1001, a.expectClose(1001).code());
        assertEquals("server shutting down", b.expectClose(1001).reason());
    }

    @Test
    void thePageAndItsScriptAreServedWithTheirTypes() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(ChatConfig.defaults().withPort(0))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(server.pageUri()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            String pageType = page.headers().firstValue("content-type").orElse("");
            assertTrue(pageType.startsWith("text/html"), pageType);
            HttpResponse<String> script = http.send(HttpRequest.newBuilder(server.pageUri().resolve("chat.js")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, script.statusCode());
            String type = script.headers().firstValue("content-type").orElse("");
            assertTrue(type.contains("javascript"), "module scripts need a JavaScript type, got " + type);
        }
    }

    /**
     * Slowloris: connections that never become chat connections are closed after the handshake
     * timeout, however they hold on (silent, half a request line, a request dribbled a byte at a
     * time, keep-alive after an answer); a chat connection is not, as the chat's idle timeout governs it.
     */
    @Test
    void connectionsThatNeverUpgradeAreClosedAfterTheHandshakeTimeoutAndChatConnectionsStay() throws Exception {
        long timeout = 2_000;
        try (EmbeddedServer server = EmbeddedServer.start(ChatConfig.defaults().withPort(0), true,
                java.time.Duration.ofMillis(timeout));
             Socket silent = new Socket("localhost", server.port());
             Socket half = new Socket("localhost", server.port());
             Socket dribbling = new Socket("localhost", server.port());
             Socket keptAlive = new Socket("localhost", server.port());
             TestClient chat = welcomed(uri(server, "user=stays&room=r"))) {
            long start = System.nanoTime();
            half.getOutputStream().write("GET / HT".getBytes(StandardCharsets.US_ASCII));
            keptAlive.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] request = "GET / HTTP/1.1\r\nHost: localhost\r\nX-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.US_ASCII);
            java.util.concurrent.CompletableFuture<Void> dribble = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    for (byte b : request) {
                        dribbling.getOutputStream().write(b); // a byte every 100 ms: never a whole request
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException e) {
                    // closed by the server: what it should do
                }
            });
            long margin = 3_000;
            assertTrue(endsWithin(silent, start, timeout + margin), "a silent connection is closed");
            assertTrue(endsWithin(half, start, timeout + margin), "half a request line is closed");
            assertTrue(endsWithin(dribbling, start, timeout + margin), "a request dribbled slowly is closed");
            assertTrue(endsWithin(keptAlive, start, timeout + margin), "a keep-alive connection after its answer is closed");
            dribble.get(10, TimeUnit.SECONDS);
            Thread.sleep(timeout); // past the timeout, twice over since it opened
            chat.say("still here");
            assertEquals("still here", chat.nextChat().getString("msg"), "a chat connection is left to the chat's idle timeout");
        }
    }

    /** A launcher started with container auth (by a program, not Main) refuses too: it has no login to ask. */
    @Test
    void containerAuthIsRefusedWithTheSettingNamed() {
        ChatConfig config = ChatConfig.defaults().withPort(0);
        ConfigException refused = assertThrows(ConfigException.class, () -> EmbeddedServer.start(
                config.withSecurity(config.security().withAuth(ChatConfig.Auth.CONTAINER))));
        assertEquals("CHAT_AUTH", refused.setting());
    }

    /** Reads and drops what comes until the server closes {@code socket}; false if it is open {@code millis} after {@code start}. */
    private static boolean endsWithin(Socket socket, long start, long millis) throws IOException {
        byte[] sink = new byte[8192];
        while (true) {
            long left = millis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (left <= 0) {
                return false;
            }
            socket.setSoTimeout((int) left);
            try {
                if (socket.getInputStream().read(sink) < 0) {
                    return true;
                }
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (java.net.SocketException e) {
                return true; // reset
            }
        }
    }
}

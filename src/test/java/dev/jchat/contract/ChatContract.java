package dev.jchat.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.RawClient;
import dev.jchat.TestClient;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The wire contract of docs/PROTOCOL.md, run against every runtime we ship: each subclass starts
 * one real server with {@link #SETTINGS} and says where it listens. Every test uses a room of its
 * own, so they share the server without seeing each other.
 */
public abstract class ChatContract {

    /** What each runtime under contract is configured with: not the defaults, so that a test sees them applied. */
    public static final Map<String, String> SETTINGS = Map.of(
            "CHAT_HISTORY_SIZE", "20",
            "CHAT_HISTORY_REPLAY", "5",
            "CHAT_MAX_MESSAGE_CHARS", "2000",
            "CHAT_MAX_FRAME_BYTES", "65536",
            "CHAT_IDLE_TIMEOUT_SECONDS", "10",
            "CHAT_SEND_TIMEOUT_SECONDS", "3",
            "CHAT_MAX_ROOMS", "1000",
            "CHAT_MAX_ROOMS_PER_CONNECTION", "4",
            "CHAT_MODERATORS", "boss,warden");
    public static final ChatConfig CONFIG = ChatConfig.from(SETTINGS, name -> null);

    private static final Pattern ISO_INSTANT = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");

    private final String room = "t-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<TestClient> clients = new ArrayList<>();

    /** The endpoint, e.g. {@code ws://localhost:8080/chat} or {@code ws://localhost:8080/ctx/chat}. */
    protected abstract URI chatUri();

    /** The page, e.g. {@code http://localhost:8080/} or {@code http://localhost:8080/ctx/}. */
    protected abstract URI pageUri();

    @AfterEach
    void closeClients() {
        clients.forEach(TestClient::close);
    }

    // --- helpers

    protected URI uri(String query) {
        return URI.create(chatUri() + (query.isEmpty() ? "" : "?" + query));
    }

    protected static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    protected TestClient connect(String query) {
        TestClient client = TestClient.connect(uri(query));
        clients.add(client);
        return client;
    }

    /** Connects as {@code user} to this test's room and consumes the welcome. */
    protected TestClient join(String user) {
        TestClient client = connect("user=" + q(user) + "&room=" + room);
        client.welcome();
        return client;
    }

    protected String room() {
        return room;
    }

    /**
     * A name of this test's own, which no connection has claimed: what a client that names itself
     * by its first message may use (the names the tests join with are held by their test keys).
     */
    protected String unheld(String name) {
        return name + "-" + room.substring(2);
    }

    // --- connecting

    @Test
    void welcomeComesFirstWithRoomUsersLastIdEpochAndRecovered() {
        TestClient alice = join("alice");
        TestClient bob = connect("user=bob&room=" + room);
        JsonObject welcome = bob.welcome();
        assertEquals("bob", welcome.getString("user"));
        assertEquals(room, welcome.getString("room"));
        assertEquals(List.of("alice", "bob"), TestClient.strings(welcome, "users"));
        assertEquals(0, welcome.getJsonNumber("lastId").longValue());
        assertFalse(welcome.getString("epoch").isEmpty());
        assertTrue(welcome.getBoolean("recovered"));
        alice.next("join");
    }

    @Test
    void roomDefaultsToLobby() {
        TestClient client = connect("user=" + q("lobby sitter"));
        assertEquals("lobby", client.welcome().getString("room"));
    }

    @Test
    void thePageIsServedNextToTheEndpoint() throws IOException, InterruptedException {
        HttpResponse<String> page = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(pageUri()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<html"), "not an HTML page");
    }

    /**
     * chat-client.js, the protocol module for front ends, is served beside the page as the page's
     * own script is: a JavaScript type (browsers refuse a module of any other) and the same caching.
     */
    @Test
    void theProtocolModuleIsServedBesideThePageAsItsScriptIs() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> script = http.send(HttpRequest.newBuilder(pageUri().resolve("chat.js")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> module = http.send(HttpRequest.newBuilder(pageUri().resolve("chat-client.js")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, module.statusCode());
        assertTrue(module.body().contains("export class ChatClient"), "the module itself");
        String type = module.headers().firstValue("content-type").orElse("");
        assertTrue(type.contains("javascript"), () -> "module scripts need a JavaScript type, got " + type);
        for (String header : List.of("content-type", "cache-control", "expires")) {
            assertEquals(script.headers().firstValue(header), module.headers().firstValue(header), header);
        }
        for (String header : List.of("etag", "last-modified")) {
            assertEquals(script.headers().firstValue(header).isPresent(), module.headers().firstValue(header).isPresent(),
                    header);
        }
    }

    // --- chat

    @Test
    void aMessageGoesToEveryoneInTheRoomSenderIncluded() {
        TestClient alice = join("alice");
        TestClient bob = join("bob");
        alice.next("join");
        alice.say("  hello, bob  ");
        for (TestClient c : List.of(alice, bob)) {
            JsonObject chat = c.next("chat");
            assertEquals("hello, bob", chat.getString("msg"), "msg is trimmed");
            assertEquals("alice", chat.getString("user"));
            assertEquals(room, chat.getString("room"));
            assertEquals(1, chat.getJsonNumber("id").longValue());
            String time = chat.getString("dateTime");
            assertTrue(ISO_INSTANT.matcher(time).matches(), time);
            assertTrue(Math.abs(Instant.parse(time).toEpochMilli() - System.currentTimeMillis()) < 60_000);
        }
    }

    @Test
    void roomsAreIsolated() {
        TestClient here = join("alice");
        TestClient elsewhere = connect("user=bob&room=" + room + "-other");
        elsewhere.welcome();
        elsewhere.say("only for the other room");
        elsewhere.next("chat");
        here.say("only here");
        JsonObject chat = here.next("chat");
        assertEquals("only here", chat.getString("msg"));
        here.assertNothingPending();
    }

    @Test
    void theTutorialFormatWorksWithoutAUserInTheQuery() {
        TestClient watcher = join("watcher");
        TestClient tutorial = connect("room=" + room);
        JsonObject welcome = tutorial.welcome();
        assertFalse(welcome.containsKey("user") && !welcome.isNull("user"), "no name yet: " + welcome);
        String name = unheld("alice");
        tutorial.send("{\"id\":1679990000000,\"user\":\"" + name + "\",\"dateTime\":1679990000000,\"msg\":\"hi\"}");
        assertEquals(name, watcher.next("join").getString("user"));
        JsonObject chat = watcher.next("chat");
        assertEquals(name, chat.getString("user"));
        assertEquals("hi", chat.getString("msg"));
        assertEquals(1, chat.getJsonNumber("id").longValue(), "the server assigns the id");
        assertNotEquals("1679990000000", chat.getString("dateTime"));
        assertEquals(chat, tutorial.next("chat"));
    }

    @Test
    void anotherUserFieldIsReplacedByTheConnectionsName() {
        TestClient alice = join("alice");
        alice.send("{\"type\":\"chat\",\"user\":\"bob\",\"msg\":\"I am bob\"}");
        assertEquals("alice", alice.next("chat").getString("user"));
        TestClient tutorial = connect("room=" + room);
        tutorial.welcome();
        String carol = unheld("carol");
        tutorial.send("{\"user\":\"" + carol + "\",\"msg\":\"first\"}");
        tutorial.send("{\"user\":\"mallory\",\"msg\":\"second\"}");
        assertEquals(carol, alice.next("join").getString("user"));
        assertEquals(carol, alice.next("chat").getString("user"));
        assertEquals(carol, alice.next("chat").getString("user"));
    }

    @Test
    void clientIdAndDateTimeOfAnyTypeAreIgnored() {
        TestClient alice = join("alice");
        alice.send("{\"msg\":\"a\",\"id\":\"x\",\"dateTime\":{\"deep\":[1,2,{\"x\":null}]}}");
        alice.send("{\"msg\":\"b\",\"id\":[1],\"dateTime\":true}");
        assertEquals(1, alice.next("chat").getJsonNumber("id").longValue());
        assertEquals(2, alice.next("chat").getJsonNumber("id").longValue());
    }

    @Test
    void concurrentSendersAreSeenInOneOrderByEveryone() throws Exception {
        int senders = 5;
        int each = 20;
        List<TestClient> all = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            all.add(join("sender" + i));
        }
        for (int i = 0; i < senders; i++) {
            for (int j = i + 1; j < senders; j++) {
                all.get(i).next("join");
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < senders; i++) {
                TestClient client = all.get(i);
                int sender = i;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int n = 0; n < each; n++) {
                        client.say(sender + ":" + n);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> first = null;
        for (TestClient client : all) {
            List<String> seen = new ArrayList<>();
            long lastId = 0;
            for (int n = 0; n < senders * each; n++) {
                JsonObject chat = client.next("chat");
                assertEquals(lastId + 1, chat.getJsonNumber("id").longValue(), "ids without gaps");
                lastId++;
                seen.add(chat.getString("msg"));
            }
            assertEquals(senders * each, seen.stream().distinct().count(), "each message once");
            if (first == null) {
                first = seen;
            } else {
                assertEquals(first, seen, "every client sees one order");
            }
        }
        for (int i = 0; i < senders; i++) {
            List<String> own = new ArrayList<>();
            for (String msg : first) {
                if (msg.startsWith(i + ":")) {
                    own.add(msg);
                }
            }
            for (int n = 0; n < each; n++) {
                assertEquals(i + ":" + n, own.get(n), "a sender's messages keep their order");
            }
        }
    }

    // --- refused frames: an error to the sender only, the connection stays usable

    private void assertRefused(String frame, String code) {
        TestClient sender = join("sender");
        TestClient observer = join("observer");
        sender.next("join");
        sender.send(frame);
        sender.expectError(code);
        sender.say("still here");
        assertEquals("still here", sender.next("chat").getString("msg"));
        JsonObject seen = observer.next("chat");
        assertEquals("still here", seen.getString("msg"), "the refused frame was never broadcast");
        assertEquals(1, seen.getJsonNumber("id").longValue(), "the refused frame took no id");
    }

    @Test
    void notJsonIsInvalidJson() {
        assertRefused("hello there", "invalid-json");
    }

    @Test
    void aJsonArrayIsInvalidJson() {
        assertRefused("[{\"msg\":\"hi\"}]", "invalid-json");
    }

    @Test
    void deeplyNestedInputIsRefusedCleanly() {
        assertRefused("{\"msg\":\"x\",\"id\":" + "[".repeat(5000) + "]".repeat(5000) + "}", "invalid-json");
    }

    @Test
    void aNumberAsMsgIsInvalidMessage() {
        assertRefused("{\"msg\":42}", "invalid-message");
    }

    @Test
    void anUnknownTypeIsInvalidMessage() {
        assertRefused("{\"type\":\"shout\",\"msg\":\"hi\"}", "invalid-message");
    }

    @Test
    void aMissingMsgIsInvalidMessage() {
        assertRefused("{\"type\":\"chat\"}", "invalid-message");
    }

    @Test
    void aBlankMessageIsEmptyMessage() {
        assertRefused("{\"msg\":\" \\n\\t \"}", "empty-message");
    }

    @Test
    void aMessageOverTheLimitIsTooLong() {
        assertRefused("{\"msg\":\"" + "x".repeat(CONFIG.maxMessageChars() + 1) + "\"}", "message-too-long");
    }

    @Test
    void theLimitCountsCharactersNotBytesOrUtf16Units() {
        TestClient alice = join("alice");
        String emoji = "😀".repeat(CONFIG.maxMessageChars());
        alice.say(emoji);
        assertEquals(emoji, alice.next("chat").getString("msg"));
    }

    @Test
    void anUnnamedConnectionMustNameItselfValidly() {
        TestClient observer = join("observer");
        TestClient tutorial = connect("room=" + room);
        tutorial.welcome();
        tutorial.send("{\"msg\":\"who am I\"}");
        tutorial.expectError("invalid-user");
        tutorial.send("{\"user\":\"<b>x\",\"msg\":\"hi\"}");
        tutorial.expectError("invalid-user");
        tutorial.send("{\"user\":\"al\",\"msg\":\"hi\"}");
        tutorial.expectError("invalid-user");
        tutorial.send("{\"user\":\"  Zoë 2  \",\"msg\":\"hi\"}");
        assertEquals("Zoë 2", observer.next("join").getString("user"));
        assertEquals("Zoë 2", observer.next("chat").getString("user"));
        assertEquals("Zoë 2", tutorial.next("chat").getString("user"));
    }

    // --- refused connections

    private void assertQueryRefused(String query, String code) {
        TestClient client = connect(query);
        client.expectError(code);
        client.expectClose(1008);
    }

    @Test
    void aBadNameInTheQueryClosesWith1008() {
        assertQueryRefused("user=ab&room=" + room, "invalid-user");
        assertQueryRefused("user=" + q("bad\u0007name") + "&room=" + room, "invalid-user");
        assertQueryRefused("user=" + q("x".repeat(33)) + "&room=" + room, "invalid-user");
    }

    @Test
    void aBadRoomClosesWith1008() {
        assertQueryRefused("user=alice&room=" + q("no spaces"), "invalid-query");
        assertQueryRefused("user=alice&room=" + "r".repeat(65), "invalid-query");
    }

    @Test
    void aBadSinceOrEpochClosesWith1008() {
        assertQueryRefused("user=alice&room=" + room + "&since=-1", "invalid-query");
        assertQueryRefused("user=alice&room=" + room + "&since=abc", "invalid-query");
        assertQueryRefused("user=alice&room=" + room + "&since=1&epoch=" + q("a b"), "invalid-query");
    }

    @Test
    void aRefusedConnectionIsNeverSeenInTheRoom() {
        TestClient observer = join("observer");
        assertQueryRefused("user=x&room=" + room, "invalid-user");
        observer.say("after");
        assertEquals("after", observer.next("chat").getString("msg"), "no join for a refused name");
    }

    // --- frames the server does not take

    @Test
    void aBinaryFrameClosesWith1003() {
        TestClient alice = join("alice");
        alice.sendBinary(new byte[] {1, 2, 3});
        alice.expectClose(1003);
    }

    @Test
    void aFrameOverTheLimitClosesWith1009() {
        TestClient alice = join("alice");
        alice.send("{\"msg\":\"" + "x".repeat(70 * 1024) + "\"}");
        alice.expectClose(1009);
    }

    @Test
    void aFrameJustUnderTheLimitIsReadAndJudgedByItsMsg() {
        TestClient alice = join("alice");
        alice.send("{\"msg\":\"" + "x".repeat(60 * 1024) + "\"}");
        alice.expectError("message-too-long");
    }

    // --- ping

    @Test
    void pingGetsPongToThatConnectionOnly() {
        TestClient alice = join("alice");
        TestClient bob = join("bob");
        alice.next("join");
        bob.send("{\"type\":\"ping\",\"msg\":42}");
        String time = bob.next("pong").getString("dateTime");
        assertTrue(ISO_INSTANT.matcher(time).matches(), time);
        bob.say("after the ping");
        assertEquals("after the ping", alice.next("chat").getString("msg"));
    }

    // --- presence

    @Test
    void joinAndLeaveAreAnnouncedOncePerName() {
        TestClient watcher = join("watcher");
        TestClient tab1 = join("alice");
        JsonObject join = watcher.next("join");
        assertEquals("alice", join.getString("user"));
        assertEquals(2, join.getInt("online"));
        TestClient tab2 = connect("user=alice&room=" + room);
        assertEquals(List.of("alice", "watcher"), TestClient.strings(tab2.welcome(), "users"));
        tab1.close();
        tab1.expectClose(1000);
        tab2.say("alice is still here");
        assertEquals("alice is still here", watcher.next("chat").getString("msg"), "no leave while a tab is open");
        tab2.close();
        JsonObject leave = watcher.next("leave");
        assertEquals("alice", leave.getString("user"));
        assertEquals(1, leave.getInt("online"));
        assertTrue(ISO_INSTANT.matcher(leave.getString("dateTime")).matches());
    }

    // --- history

    @Test
    void aNewConnectionGetsTheRecentHistoryAfterItsWelcome() {
        TestClient alice = join("alice");
        for (int i = 1; i <= 8; i++) {
            alice.say("m" + i);
            alice.next("chat");
        }
        TestClient late = connect("user=late&room=" + room);
        assertEquals(8, late.welcome().getJsonNumber("lastId").longValue());
        for (int i = 8 - CONFIG.historyReplay() + 1; i <= 8; i++) {
            JsonObject chat = late.next("chat");
            assertEquals(i, chat.getJsonNumber("id").longValue());
            assertEquals("m" + i, chat.getString("msg"));
        }
        alice.say("live");
        assertEquals("live", late.next("chat").getString("msg"));
    }

    @Test
    void sinceReplaysExactlyTheMissedMessages() {
        TestClient alice = join("alice");
        String epoch;
        try (TestClient bob = connect("user=bob&room=" + room)) {
            epoch = bob.welcome().getString("epoch");
            alice.next("join");
            alice.say("seen");
            alice.next("chat");
            bob.next("chat");
        }
        alice.next("leave");
        for (int i = 2; i <= 9; i++) {
            alice.say("missed" + i);
        }
        TestClient back = connect("user=bob&room=" + room + "&since=1&epoch=" + epoch);
        JsonObject welcome = back.welcome();
        assertTrue(welcome.getBoolean("recovered"));
        for (int i = 2; i <= 9; i++) {
            assertEquals("missed" + i, back.next("chat").getString("msg"), "more than the replay window, in order");
        }
        alice.say("live");
        assertEquals("live", back.next("chat").getString("msg"), "no duplicate, no gap before live traffic");
    }

    @Test
    void sinceAtTheNewestIdReplaysNothing() {
        TestClient alice = join("alice");
        alice.say("one");
        long id = alice.next("chat").getJsonNumber("id").longValue();
        TestClient back = connect("user=bob&room=" + room + "&since=" + id);
        assertTrue(back.welcome().getBoolean("recovered"));
        alice.say("two");
        assertEquals("two", back.next("chat").getString("msg"));
    }

    @Test
    void sincePastTheHistoryIsNotRecovered() {
        TestClient alice = join("alice");
        int total = CONFIG.historySize() + 5;
        for (int i = 1; i <= total; i++) {
            alice.say("m" + i);
        }
        for (int i = 1; i <= total; i++) {
            alice.next("chat");
        }
        TestClient back = connect("user=bob&room=" + room + "&since=2");
        assertFalse(back.welcome().getBoolean("recovered"));
        for (int i = total - CONFIG.historySize() + 1; i <= total; i++) {
            assertEquals(i, back.next("chat").getJsonNumber("id").longValue(), "everything still held, in order");
        }
        alice.say("live");
        assertEquals("live", back.next("chat").getString("msg"));
    }

    @Test
    void sinceFromAnotherEpochIsNotRecovered() {
        TestClient alice = join("alice");
        for (int i = 1; i <= 7; i++) {
            alice.say("m" + i);
        }
        for (int i = 1; i <= 7; i++) {
            alice.next("chat");
        }
        TestClient back = connect("user=bob&room=" + room + "&since=3&epoch=someotherepoch");
        assertFalse(back.welcome().getBoolean("recovered"));
        for (int i = 7 - CONFIG.historyReplay() + 1; i <= 7; i++) {
            assertEquals(i, back.next("chat").getJsonNumber("id").longValue(), "the normal recent history");
        }
        TestClient ahead = connect("user=carol&room=" + room + "&since=500");
        assertFalse(ahead.welcome().getBoolean("recovered"), "an id this room never gave is from another epoch");
    }

    // --- liveness

    @Test
    @Execution(ExecutionMode.CONCURRENT) // waits for the idle timeout: beside the others (junit-platform.properties)
    void aSilentConnectionIsClosedWithACloseFrameAfterTheIdleTimeout() {
        TestClient silent = join("silent");
        long start = System.nanoTime();
        // The chat checks once a second, on every runtime; the margin is for a loaded machine.
        TestClient.Closed closed = silent.skipToClose(Duration.ofSeconds(CONFIG.idleTimeoutSeconds() + 20L));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertEquals(1001, closed.code(), "closed with " + closed);
        assertEquals("idle timeout", closed.reason(), "the same on every runtime");
        assertTrue(seconds >= CONFIG.idleTimeoutSeconds() - 1, "closed too early: " + seconds + " s");
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT) // waits for the idle timeout: beside the others (junit-platform.properties)
    void pingsKeepAConnectionAlive() throws InterruptedException {
        TestClient alive = join("alive");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(CONFIG.idleTimeoutSeconds() + 2L);
        while (System.nanoTime() < until) {
            alive.send("{\"type\":\"ping\"}");
            alive.next("pong");
            Thread.sleep(1000);
        }
        assertTrue(alive.isOpen());
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT) // waits for the idle timeout: beside the others (junit-platform.properties)
    void protocolLevelPingsKeepAConnectionAliveToo() throws InterruptedException {
        TestClient alive = join("pinging");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(CONFIG.idleTimeoutSeconds() + 2L);
        while (System.nanoTime() < until) {
            alive.sendProtocolPing();
            Thread.sleep(1000);
        }
        alive.send("{\"type\":\"ping\"}");
        assertEquals("pong", alive.next("pong").getString("type"), "still open, after " + CONFIG.idleTimeoutSeconds() + " s of WebSocket pings alone");
    }

    /** Says something in this test's room every 300 ms, from a client of its own, until closed. */
    private AutoCloseable talkInTheRoom() {
        TestClient talker = join("talker");
        AtomicBoolean stop = new AtomicBoolean();
        Thread thread = new Thread(() -> {
            for (int i = 0; !stop.get() && talker.trySay("chatter " + i); i++) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
            }
        }, "talker");
        thread.setDaemon(true);
        thread.start();
        return () -> {
            stop.set(true);
            thread.join(15_000);
        };
    }

    /** Skips text until the close, which must come within {@code within} of now; fails otherwise. */
    private static TestClient.Closed closeWithin(TestClient client, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            assertTrue(left > 0, "not closed within " + within);
            TestClient.Event event = client.nextEvent(Duration.ofNanos(left));
            if (event instanceof TestClient.Closed closed) {
                return closed;
            }
            assertFalse(event instanceof TestClient.Failed, () -> "failed before closing: " + event);
        }
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT) // waits for the idle timeout: beside the others (junit-platform.properties)
    void aConnectionThatOnlyReceivesIsIdleAndOneThatPingsIsNot() throws Exception {
        TestClient listener = join("listener");
        long start = System.nanoTime();
        TestClient pinger = join("pinger");
        try (AutoCloseable talk = talkInTheRoom()) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread pinging = new Thread(() -> {
                while (!stop.get() && pinger.isOpen()) {
                    pinger.send("{\"type\":\"ping\"}");
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
                }
            }, "pinger");
            pinging.setDaemon(true);
            pinging.start();
            TestClient.Closed closed = closeWithin(listener, Duration.ofSeconds(CONFIG.idleTimeoutSeconds() + 5L));
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertEquals(1001, closed.code(), "closed as idle, though the room kept sending to it: " + closed);
            assertEquals("idle timeout", closed.reason());
            assertTrue(seconds >= CONFIG.idleTimeoutSeconds() - 1, "closed too early: " + seconds + " s");
            Thread.sleep(2_000);
            stop.set(true);
            pinging.join(5_000);
        }
        assertTrue(pinger.isOpen(), "a connection that pings stays");
        while (true) { // the room's chatter, then its pongs: never a close
            TestClient.Event event = pinger.nextEvent(Duration.ofSeconds(5));
            assertTrue(event instanceof TestClient.Text, () -> "the pinging connection went: " + event);
            if (((TestClient.Text) event).text().contains("\"pong\"")) {
                break;
            }
        }
    }

    @Test
    void aClientThatDropsItsConnectionLeavesItsRoomWhileTheRoomTalks() throws Exception {
        TestClient observer = join("observer");
        try (AutoCloseable talk = talkInTheRoom()) {
            for (int round = 0; round < 3; round++) {
                TestClient dropper = join("dropper");
                Thread.sleep(500); // frames in flight to it
                long dropped = System.nanoTime();
                dropper.abort();
                // The container notices at once where it reads the end of the connection; the idle
                // check (nothing came from it) bounds it where a container does not.
                long deadline = dropped + TimeUnit.SECONDS.toNanos(CONFIG.idleTimeoutSeconds() + 3L);
                while (true) {
                    long left = deadline - System.nanoTime();
                    assertTrue(left > 0, "round " + round + ": the dropped connection is still in the room");
                    TestClient.Event event = observer.nextEvent(Duration.ofNanos(left));
                    if (event instanceof TestClient.Text text && text.text().contains("\"leave\"")
                            && text.text().contains("\"dropper\"")) {
                        System.out.printf("round %d: leave %d ms after the drop%n", round,
                                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dropped));
                        break;
                    }
                    assertFalse(event instanceof TestClient.Closed || event instanceof TestClient.Failed,
                            () -> "the observer went: " + event);
                }
            }
        }
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT) // waits for the idle timeout: beside the others (junit-platform.properties)
    void aPeerThatNeitherReadsNorSendsLeavesItsRoomWithinTheIdleTimeout() throws Exception {
        TestClient observer = join("observer");
        // A peer gone without a trace (its machine died, its network went): nothing ends the TCP
        // connection, which still takes what the room sends it, into its small window and then
        // the server's buffers, where a container may report it as sent.
        try (RawClient vanished = RawClient.connect(uri("user=vanished&room=" + room()), 4_096)) {
            assertTrue(vanished.read().text().contains("\"welcome\""));
            assertEquals("vanished", observer.next("join").getString("user"));
            long start = System.nanoTime();
            try (AutoCloseable talk = talkInTheRoom()) {
                long deadline = start + TimeUnit.SECONDS.toNanos(CONFIG.idleTimeoutSeconds() + 5L);
                long pinged = start;
                while (true) {
                    long now = System.nanoTime();
                    assertTrue(now < deadline, "the vanished peer is still in the room");
                    if (now - pinged > TimeUnit.SECONDS.toNanos(2)) {
                        observer.send("{\"type\":\"ping\"}"); // it only listens: it keeps alive as the page does
                        pinged = now;
                    }
                    TestClient.Event event = observer.nextEvent(Duration.ofNanos(deadline - now));
                    assertTrue(event instanceof TestClient.Text, () -> "the observer went: " + event);
                    String text = ((TestClient.Text) event).text();
                    if (text.contains("\"leave\"") && text.contains("\"vanished\"")) {
                        break;
                    }
                }
            }
        }
    }

    // --- many at once

    @Test
    void twoHundredClientsConnectAndAllReceiveABroadcast() throws Exception {
        List<TestClient> crowd = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<TestClient>> connecting = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                connecting.add(pool.submit(() -> TestClient.connect(uri("room=" + room))));
            }
            for (Future<TestClient> f : connecting) {
                TestClient c = f.get(30, TimeUnit.SECONDS);
                clients.add(c);
                crowd.add(c);
            }
        } finally {
            pool.shutdownNow();
        }
        for (TestClient c : crowd) {
            c.welcome();
        }
        TestClient speaker = join("speaker");
        speaker.say("hello, everyone");
        for (TestClient c : crowd) {
            JsonObject frame = c.next();
            if (frame.getString("type").equals("join")) {
                frame = c.next();
            }
            assertEquals("hello, everyone", frame.getString("msg"));
        }
    }

    // --- version 2: typing, scrollback, rooms

    @Test
    void typingReachesTheOthersOnlyAtMostOnceASecondAndIsNeverStored() throws Exception {
        TestClient alice = join("alice");
        TestClient aliceElsewhere = join("alice");
        TestClient bob = join("bob");
        alice.next("join");
        for (int i = 0; i < 5; i++) {
            alice.send("{\"type\":\"typing\"}");
        }
        alice.say("done typing");
        JsonObject typing = bob.next("typing");
        assertEquals("alice", typing.getString("user"));
        assertEquals(room, typing.getString("room"));
        assertEquals("done typing", bob.next("chat").getString("msg"), "the other four were dropped");
        for (TestClient own : List.of(alice, aliceElsewhere)) {
            assertEquals("done typing", own.nextChat().getString("msg"), "never to a connection of the typing name");
        }
        Thread.sleep(1_100);
        alice.send("{\"type\":\"typing\"}");
        assertEquals("alice", bob.next("typing").getString("user"), "a second later, again");

        TestClient later = connect("user=carol&room=" + room + "&since=0");
        later.welcome();
        assertEquals("done typing", later.next("chat").getString("msg"), "nothing of typing is replayed");
    }

    @Test
    void scrollbackPagesBackToTheFirstHeldMessageWithNoGapAndNoDuplicate() {
        TestClient alice = join("alice");
        int sent = CONFIG.historySize() + 5;
        for (int i = 1; i <= sent; i++) {
            alice.say("m" + i);
        }
        for (int i = 1; i <= sent; i++) {
            alice.next("chat");
        }
        List<Long> ids = new ArrayList<>();
        Long before = null;
        boolean more = true;
        while (more) {
            alice.send("{\"type\":\"history\",\"limit\":8" + (before == null ? "" : ",\"before\":" + before) + "}");
            JsonObject page = alice.next("history");
            assertEquals(room, page.getString("room"));
            List<JsonObject> messages = page.getJsonArray("messages").getValuesAs(JsonObject.class);
            assertTrue(messages.size() <= 8);
            List<Long> pageIds = messages.stream().map(m -> m.getJsonNumber("id").longValue()).toList();
            for (JsonObject m : messages) {
                assertEquals("chat", m.getString("type"), "each element is the chat frame as broadcast");
                assertEquals("m" + m.getJsonNumber("id").longValue(), m.getString("msg"));
            }
            ids.addAll(0, pageIds);
            more = page.getBoolean("more");
            before = pageIds.isEmpty() ? null : pageIds.get(0);
            assertFalse(pageIds.isEmpty() && more, "an empty page has nothing older");
        }
        List<Long> expected = new ArrayList<>();
        for (long id = sent - CONFIG.historySize() + 1; id <= sent; id++) {
            expected.add(id);
        }
        assertEquals(expected, ids, "every held message once, in order, back to the first held");
    }

    @Test
    void aBadScrollbackRequestIsRefusedAndTheConnectionStays() {
        TestClient alice = join("alice");
        for (String bad : List.of("{\"type\":\"history\",\"limit\":0}", "{\"type\":\"history\",\"limit\":101}",
                "{\"type\":\"history\",\"limit\":\"5\"}", "{\"type\":\"history\",\"before\":-1}",
                "{\"type\":\"history\",\"before\":1.5}")) {
            alice.send(bad);
            alice.expectError("invalid-message");
        }
        alice.send("{\"type\":\"history\"}");
        JsonObject empty = alice.next("history");
        assertEquals(0, empty.getJsonArray("messages").size());
        assertFalse(empty.getBoolean("more"));
    }

    @Test
    void theRoomDirectoryListsRoomsWithPeopleMostFirst() {
        String busy = room + "-busy";
        String quiet = room + "-quiet";
        TestClient ann = connect("user=ann&room=" + busy);
        ann.welcome();
        TestClient ben = connect("user=ben&room=" + busy);
        ben.welcome();
        ann.say("hello");
        TestClient cat = connect("user=cat&room=" + quiet);
        cat.welcome();
        TestClient direct = connect("user=dan&room=" + busy);
        direct.welcome();
        ann.next("join");
        ann.next("chat");
        ann.next("join");
        // With Redis the directory is read from Redis, which hears of a join just after the room's
        // own members do: asked at once, it may not count dan yet. It must within a moment.
        List<JsonObject> rooms;
        List<String> names;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        do {
            cat.send("{\"type\":\"rooms\"}");
            rooms = cat.next("rooms").getJsonArray("rooms").getValuesAs(JsonObject.class);
            names = rooms.stream().map(r -> r.getString("room")).toList();
        } while ((names.indexOf(busy) < 0 || rooms.get(names.indexOf(busy)).getInt("online") < 3)
                && System.nanoTime() < deadline);
        List<String> listed = names;
        assertTrue(names.indexOf(busy) >= 0 && names.indexOf(busy) < names.indexOf(quiet), () -> "busy first: " + listed);
        JsonObject busyEntry = rooms.get(names.indexOf(busy));
        assertEquals(3, busyEntry.getInt("online"));
        assertEquals(1, busyEntry.getJsonNumber("lastId").longValue());
        assertEquals(1, rooms.get(names.indexOf(quiet)).getInt("online"));
        assertTrue(rooms.size() <= 100);
    }

    // --- version 2: direct conversations

    /** {@code room=} for a direct conversation, URL-encoded as it must be ({@code +} would read as a space). */
    private static String direct(String... names) {
        return "room=" + q("@" + String.join("+", names));
    }

    @Test
    void aDirectConversationIsOneRoomForItsTwoNamesAndTheOtherIsNoticedElsewhere() {
        String ann = "Ann-" + room.substring(2);
        String bob = "Bob-" + room.substring(2);
        TestClient annInARoom = join(ann);
        TestClient bobToAnn = connect("user=" + q(bob) + "&" + direct(ann));
        JsonObject welcome = bobToAnn.welcome();
        String conversation = "@" + ann + "+" + bob; // code-point order: A before B
        assertEquals(conversation, welcome.getString("room"));
        assertEquals(List.of(bob), TestClient.strings(welcome, "users"));

        bobToAnn.say("psst");
        JsonObject chat = bobToAnn.nextChat();
        assertEquals(conversation, chat.getString("room"));
        JsonObject notice = annInARoom.next("notice");
        assertEquals(conversation, notice.getString("room"));
        assertEquals(bob, notice.getString("user"));
        assertEquals(chat.getJsonNumber("id").longValue(), notice.getJsonNumber("id").longValue());
        assertEquals("psst", notice.getString("msg"));

        TestClient annInIt = connect("user=" + q(ann) + "&" + direct(bob, ann)); // either order, the same room
        JsonObject annWelcome = annInIt.welcome();
        assertEquals(conversation, annWelcome.getString("room"));
        assertEquals("psst", annInIt.nextChat().getString("msg"), "its history, as any room's");
        assertEquals(ann, bobToAnn.next("join").getString("user"));
        annInIt.say("hi");
        assertEquals("hi", bobToAnn.nextChat().getString("msg"));
        assertEquals("hi", annInIt.nextChat().getString("msg"));
        annInARoom.say("elsewhere"); // after "hi" on the same server: a notice of it would have come first
        assertEquals("elsewhere", annInARoom.next("chat").getString("msg"), "Ann is not noticed of her own message");
    }

    @Test
    void aThirdNameIsForbiddenAndANameNobodyHoldsIsUnknown() {
        String ann = "Ann-" + room.substring(2);
        String bob = "Bob-" + room.substring(2);
        join(ann);
        join(bob);
        TestClient third = connect("user=" + q("Cid-" + room.substring(2)) + "&" + direct(ann, bob));
        assertEquals("forbidden", third.expectError("forbidden").getString("code"));
        assertEquals("forbidden", third.expectClose(1008).reason());

        TestClient lonely = connect("user=" + q(ann) + "&" + direct(unheld("nobody")));
        lonely.expectError("unknown-user");
        assertEquals("unknown-user", lonely.expectClose(1008).reason());

        TestClient nameless = connect(direct(ann)); // names itself by its first message: no name of its own
        nameless.expectError("forbidden");
        nameless.expectClose(1008);

        TestClient self = connect("user=" + q(ann) + "&" + direct(ann));
        self.expectError("invalid-query");
        self.expectClose(1008);
    }

    // --- version 2: claimed names

    @Test
    void theFirstConnectionOfANameClaimsItAndOnlyItsKeyProvesItAfterwards() {
        String name = "claim-" + room.substring(2);
        String bare = "user=" + name + "&room=" + room + "&key=";
        TestClient first = connect(bare);
        String key = first.welcome().getString("key");
        assertTrue(key.matches("[A-Za-z0-9_-]{22,}"), () -> "at least 128 random bits, URL-safe: " + key);

        for (String query : List.of(bare, "user=" + name + "&room=" + room + "&key=not-" + key)) {
            TestClient other = connect(query);
            JsonObject error = other.expectError("name-taken");
            assertFalse(error.toString().contains(key), "the key never comes back in an error");
            assertEquals("name-taken", other.expectClose(1008).reason());
        }
        TestClient second = connect("user=" + name + "&room=" + room + "&key=" + key);
        assertEquals(key, second.welcome().getString("key"), "a connection that proved the name gets its key");
        TestClient byProtocol = TestClient.connect(uri(bare), Map.of(), "chat.v1", "key." + key);
        clients.add(byProtocol);
        assertEquals("chat.v1", byProtocol.subprotocol(), "the key is never echoed");
        assertEquals(name, byProtocol.welcome().getString("user"));

        List.of(first, second, byProtocol).forEach(TestClient::close);
        TestClient after = connect(bare);
        after.expectError("name-taken"); // the hold outlives the name's connections
    }

    @Test
    void aConnectionNamingItselfByItsFirstMessageMayUseOnlyANameNobodyHolds() {
        String held = "held-" + room.substring(2);
        connect("user=" + held + "&room=" + room + "&key=").welcome();
        TestClient impostor = connect("room=" + room);
        impostor.welcome();
        impostor.send("{\"user\":\"" + held + "\",\"msg\":\"it is me\"}");
        impostor.expectError("name-taken");
        impostor.expectClose(1008);

        TestClient tutorial = connect("room=" + room);
        tutorial.welcome();
        String free = "free-" + room.substring(2);
        tutorial.send("{\"user\":\"" + free + "\",\"msg\":\"hello\"}");
        JsonObject chat = tutorial.nextChat();
        assertEquals(free, chat.getString("user"));
        assertEquals("hello", chat.getString("msg"));
        TestClient claimant = connect("user=" + free + "&room=" + room + "&key=");
        assertTrue(claimant.welcome().containsKey("key"), "using a name for one connection claims nothing");
    }

    /** The name in fullwidth letters and digits, which render as the name, only wider. */
    private static String fullwidth(String name) {
        StringBuilder wide = new StringBuilder();
        name.codePoints().forEach(c -> wide.appendCodePoint(Character.isLetterOrDigit(c) && c < 0x80 ? c + 0xFEE0 : c));
        return wide.toString();
    }

    @Test
    void aNameOfAnyScriptInTheQueryIsReadAsUtf8() {
        String zoe = "Zo\u00eb \u5c71\u7530-" + room.substring(2);
        TestClient client = connect("user=" + q(zoe) + "&room=" + room);
        assertEquals(zoe, client.welcome().getString("user"));
        TestClient toHer = connect("user=" + q("bob-" + room.substring(2)) + "&" + direct(zoe));
        assertEquals("@" + zoe + "+bob-" + room.substring(2), toHer.welcome().getString("room")); // Z before b
    }

    @Test
    void aNameThatLooksLikeAHeldOneIsRefusedOrTakenAlsoInDirectConversations() {
        String alice = "alice-" + room.substring(2);
        String bob = "bob-" + room.substring(2);
        TestClient holder = join(alice); // claimed with its test key
        join(bob);
        List<String> invisible = List.of(alice + "\uFE0F", alice.substring(0, 3) + "\u034F" + alice.substring(3),
                alice + "\u3164", "\u200B" + alice, "\u3164\u3164\u3164");
        for (String lookalike : invisible) {
            TestClient other = connect("user=" + q(lookalike) + "&room=" + room);
            String why = other.expectError("invalid-user").getString("msg");
            assertTrue(why.contains("invisible"), why);
            assertEquals("invalid-user", other.expectClose(1008).reason());

            TestClient tutorial = connect("room=" + room); // naming itself by its first message
            tutorial.welcome();
            tutorial.send("{\"user\":\"" + lookalike + "\",\"msg\":\"it is me\"}");
            tutorial.expectError("invalid-user");

            TestClient toIt = connect("user=" + q(bob) + "&" + direct(lookalike));
            toIt.expectError("invalid-query");
            toIt.expectClose(1008);
        }
        TestClient cyrillic = connect("user=" + q("\u0430" + alice.substring(1)) + "&room=" + room); // Cyrillic а
        assertTrue(cyrillic.expectError("invalid-user").getString("msg").contains("scripts"));
        for (String lookalike : List.of(alice.toUpperCase(java.util.Locale.ROOT), fullwidth(alice), "A" + alice.substring(1))) {
            TestClient other = connect("user=" + q(lookalike) + "&room=" + room); // its own test key: not alice's
            other.expectError("name-taken");
            assertEquals("name-taken", other.expectClose(1008).reason());

            TestClient withHerKey = connect("user=" + q(lookalike) + "&room=" + room + "&key=" + q(TestClient.testKey(alice)));
            withHerKey.expectError("name-taken"); // her key proves her name as she spells it

            TestClient tutorial = connect("room=" + room);
            tutorial.welcome();
            tutorial.send("{\"user\":\"" + lookalike + "\",\"msg\":\"it is me\"}");
            tutorial.expectError("name-taken");

            TestClient toIt = connect("user=" + q(bob) + "&" + direct(lookalike));
            toIt.expectError("unknown-user"); // nobody holds that spelling: no second conversation with her
            toIt.expectClose(1008);
        }
        TestClient toHer = connect("user=" + q(bob) + "&" + direct(alice));
        assertEquals("@" + alice + "+" + bob, toHer.welcome().getString("room"));
        TestClient herself = connect("user=" + q(alice) + "&" + direct(alice.toUpperCase(java.util.Locale.ROOT)));
        herself.expectError("invalid-query"); // her own name, spelt otherwise
        holder.say("still me");
        assertEquals(alice, holder.nextChat().getString("user"));
    }

    @Test
    void aClientThatSpeaksBeforeItsWelcomeIsHeardInOrderOnce() {
        String fresh = room + "-early"; // nobody here yet: with Redis, the server is still loading the room
        TestClient tutorial = connect("room=" + fresh);
        String name = unheld("early");
        tutorial.send("{\"user\":\"" + name + "\",\"msg\":\"one\"}");
        tutorial.send("{\"user\":\"" + name + "\",\"msg\":\"two\"}");
        tutorial.welcome();
        for (String msg : List.of("one", "two")) {
            JsonObject chat = tutorial.nextChat();
            assertEquals(msg, chat.getString("msg"));
            assertEquals(name, chat.getString("user"));
        }
        TestClient later = connect("user=later&room=" + fresh);
        later.welcome();
        assertEquals(List.of("one", "two"), List.of(later.next("chat").getString("msg"), later.next("chat").getString("msg")));
        later.say("three");
        assertEquals(3, tutorial.nextChat().getJsonNumber("id").longValue(), "nothing was sent twice");
    }

    @Test
    void whatAClientAsksBeforeItsWelcomeIsAnsweredAfterIt() {
        String fresh = room + "-asks"; // nobody here yet: with Redis, the server is still loading the room
        TestClient eager = connect("user=eager&room=" + fresh);
        eager.send("{\"type\":\"ping\"}");
        eager.send("{\"type\":\"rooms\"}");
        eager.send("not json");
        assertEquals("welcome", eager.next().getString("type"), "nothing goes before the welcome");
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            answers.add(eager.next().getString("type"));
        }
        assertEquals(List.of("error", "pong", "rooms"), answers.stream().sorted().toList(), "each answered once");
        assertTrue(answers.indexOf("pong") < answers.indexOf("error"), "in the order asked: " + answers);
    }

    @Test
    void aKeyIsNeverSelectedAsTheSubprotocolAndAnEmptyOneIsNone() {
        String name = "proto-" + room.substring(2);
        String bare = "user=" + name + "&room=" + room + "&key=";
        String key = connect(bare).welcome().getString("key");
        TestClient empty = TestClient.connect(uri(bare), Map.of(), "chat.v1", "key.");
        clients.add(empty);
        empty.expectError("name-taken");
        TestClient alone = TestClient.connect(uri(bare), Map.of(), "key." + key);
        clients.add(alone);
        assertEquals("", alone.subprotocol(), "a key alone is not echoed");
        assertEquals(key, alone.welcome().getString("key"));
    }
}

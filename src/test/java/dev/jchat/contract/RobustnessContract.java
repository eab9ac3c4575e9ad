package dev.jchat.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.OpsClient;
import dev.jchat.RawClient;
import dev.jchat.TestClient;
import jakarta.json.JsonObject;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What hostile and unlucky clients do, on every runtime: frames no one can encode, frames over
 * the limit sent whole, long backlogs, join storms, stalled readers, rooms made up by the
 * thousand, frames sent after a close was decided. Each runtime runs it with {@link #SETTINGS}.
 */
public abstract class RobustnessContract {

    static final int SEND_TIMEOUT_SECONDS = 10;
    static final int MAX_ROOMS = 20;
    public static final Map<String, String> SETTINGS = Map.of(
            "CHAT_SEND_TIMEOUT_SECONDS", Integer.toString(SEND_TIMEOUT_SECONDS),
            "CHAT_OUTBOX_BYTES", "262144",
            "CHAT_HISTORY_SIZE", "300",
            "CHAT_MAX_ROOMS", Integer.toString(MAX_ROOMS),
            "CHAT_RATE_PER_SECOND", "0",
            "CHAT_IDLE_TIMEOUT_SECONDS", "120");
    public static final ChatConfig CONFIG = ChatConfig.from(SETTINGS, name -> null);

    private final String room = "r-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<AutoCloseable> open = new ArrayList<>();

    protected abstract URI chatUri();

    /**
     * False where the container never hands the endpoint frames that came in the same packet as
     * the upgrade request (Payara: nothing of them arrives, so no limit is passed either).
     */
    protected boolean readsFramesInTheUpgradePacket() {
        return true;
    }

    /** False where rooms live in Redis: a server then forgets only its copy of an empty room, never the room. */
    protected boolean roomsInMemory() {
        return true;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private URI uri(String query) {
        return URI.create(chatUri() + "?" + query);
    }

    private TestClient join(String user, String inRoom) {
        TestClient client = TestClient.connect(uri("user=" + user + "&room=" + inRoom));
        open.add(client);
        client.welcome();
        return client;
    }

    private TestClient join(String user) {
        return join(user, room);
    }

    private RawClient raw(String query, int receiveBuffer) throws Exception {
        RawClient client = RawClient.connect(uri(query), receiveBuffer);
        open.add(client);
        return client;
    }

    /** A raw client in the room, welcomed, whose join {@code observer} has seen. */
    private RawClient rawSeenBy(TestClient observer, String user) throws Exception {
        RawClient client = raw("user=" + user + "&room=" + room, 0);
        assertEquals("welcome", jsonType(client.read().text()));
        observer.next("join");
        return client;
    }

    private static void await(BooleanSupplier condition, Duration within, String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(20);
        }
    }

    // --- 1: text no one can encode

    @Test
    void anUnpairedSurrogateIsRefusedAndTheRoomCarriesOn() {
        TestClient alice = join("alice");
        TestClient bob = join("bob");
        alice.next("join");
        bob.send("{\"msg\":\"\\udc00\"}");
        bob.expectError("invalid-message");
        bob.send("{\"msg\":\"half a pair \\ud83d\",\"user\":\"bob\"}");
        bob.expectError("invalid-message");
        bob.send("{\"msg\":\"fine\",\"user\":\"\\udc00\"}"); // anything echoed counts, the ignored user too
        bob.expectError("invalid-message");
        bob.say("still here 😀");
        assertEquals("still here 😀", alice.nextChat().getString("msg"));
        assertEquals("still here 😀", bob.nextChat().getString("msg"));
        TestClient carol = join("carol"); // history holds nothing that wedges a newcomer
        assertEquals("still here 😀", carol.nextChat().getString("msg"));
    }

    // --- 2: the frame limit holds for a frame sent whole

    @Test
    void aSingleFrameOverTheLimitClosesWith1009() throws Exception {
        RawClient big = raw("user=big&room=" + room, 0);
        assertEquals("welcome", jsonType(big.read().text()));
        big.write(RawClient.text("{\"msg\":\"" + "x".repeat(70 * 1024) + "\"}"));
        big.expectClose(1009);
    }

    @Test
    void aFrameOfMegabytesClosesWith1009AndWhatCameBeforeItInTheSameWriteCounts() throws Exception {
        TestClient observer = join("observer");
        RawClient huge = rawSeenBy(observer, "huge");
        // 8 MiB in one frame: past every container's buffer (Tyrus' is 4 MiB unless set), after a message
        byte[] before = RawClient.text("{\"msg\":\"just before\"}");
        byte[] big = RawClient.text("{\"msg\":\"" + "x".repeat(8 << 20) + "\"}");
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                huge.write(before, big);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        huge.expectClose(1009);
        writing.get(30, TimeUnit.SECONDS); // the server read it all: no reset overtook the close
        assertEquals("just before", observer.nextChat().getString("msg"));
        observer.say("after");
        assertEquals("after", observer.nextChat().getString("msg"), "nothing of it was published");
    }

    @Test
    void framesSplitAnywhereAcrossReadsArriveWholeAndTheLimitStillHolds() throws Exception {
        TestClient observer = join("observer");
        RawClient slow = rawSeenBy(observer, "slow");
        String text = "one byte at a time " + "z".repeat(200); // over 125 bytes: a header with a 16-bit length
        slow.writeSlowly(RawClient.text("{\"msg\":\"" + text + "\"}"), 2);
        assertEquals(text, observer.nextChat().getString("msg"));
        byte[] big = RawClient.text("{\"msg\":\"" + "x".repeat(100 * 1024) + "\"}");
        slow.writeSlowly(Arrays.copyOf(big, 20), 2); // its 14-byte header, a byte per read
        slow.write(Arrays.copyOfRange(big, 20, big.length));
        slow.expectClose(1009);
        observer.say("after");
        assertEquals("after", observer.nextChat().getString("msg"), "nothing of it was published");
    }

    /**
     * A client that writes its frames in the same packet as its upgrade request: the limit holds
     * whatever the packet boundaries (the embedded launcher passed the first frame on unchecked,
     * then counted from the middle of it).
     */
    @Test
    void theLimitHoldsForFramesInTheSamePacketAsTheUpgradeRequest() throws Exception {
        assumeTrue(readsFramesInTheUpgradePacket(), "this runtime never reads frames sent with the upgrade request");
        TestClient observer = join("observer");
        try (RawClient eager = RawClient.connectWithFrames(uri("user=eager&room=" + room),
                RawClient.text("{\"msg\":\"" + "x".repeat(70 * 1024) + "\"}"))) {
            eager.expectClose(1009);
        }
        try (RawClient eager2 = RawClient.connectWithFrames(uri("user=eager2&room=" + room),
                RawClient.text("{\"msg\":\"in the upgrade's packet\"}"),
                RawClient.text("{\"msg\":\"" + "y".repeat(1 << 20) + "\"}"))) {
            eager2.expectClose(1009); // its own copy of the message may be dropped: the close is decided at once
        }
        assertEquals("in the upgrade's packet", observer.nextChat().getString("msg"), "a frame within the limit counts");
        observer.say("after");
        assertEquals("after", observer.nextChat().getString("msg"), "nothing of the frames over the limit was published");
    }

    @Test
    void aPingOverTheLimitClosesWith1009() throws Exception {
        RawClient big = raw("user=pinger&room=" + room, 0);
        assertEquals("welcome", jsonType(big.read().text()));
        big.write(RawClient.text("{\"type\":\"ping\",\"pad\":\"" + "é".repeat(35 * 1024) + "\"}")); // 70 KB in 35 K chars
        big.expectClose(1009);
    }

    @Test
    void aFrameLongerThanTheContainersBufferIsReadWhole() throws Exception {
        TestClient observer = join("observer");
        RawClient wide = rawSeenBy(observer, "wide");
        // 4 K characters is what the containers hold of a text message at once; these come in parts
        wide.write(RawClient.text("{\"msg\":\"ascii\",\"pad\":\"" + "x".repeat(40_000) + "\"}"));
        wide.write(RawClient.text("{\"pad\":\"" + "é€😀".repeat(5_000) + "\",\"msg\":\"multibyte " + "é€😀".repeat(3) + "\"}"));
        assertEquals("ascii", observer.nextChat().getString("msg"));
        assertEquals("multibyte " + "é€😀".repeat(3), observer.nextChat().getString("msg"), "no character split");
    }

    @Test
    void aMessageInFragmentsIsPutTogetherAndTheLimitCountsTheirSum() throws Exception {
        TestClient observer = join("observer");
        RawClient pieces = rawSeenBy(observer, "pieces");
        pieces.write(RawClient.frame(RawClient.TEXT, false, "{\"msg\":\"in ".getBytes(StandardCharsets.UTF_8)),
                RawClient.frame(RawClient.CONTINUATION, false, "three ".getBytes(StandardCharsets.UTF_8)),
                RawClient.frame(RawClient.CONTINUATION, true, "parts\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("in three parts", observer.nextChat().getString("msg"));
        // 40 KB fragments, each under the 64 KiB limit, together over it
        byte[] fill = ("{\"msg\":\"too much\",\"pad\":\"" + "x".repeat(40_000)).getBytes(StandardCharsets.UTF_8);
        pieces.write(RawClient.frame(RawClient.TEXT, false, fill),
                RawClient.frame(RawClient.CONTINUATION, true, ("y".repeat(40_000) + "\"}").getBytes(StandardCharsets.UTF_8)));
        pieces.expectClose(1009);
        observer.say("after");
        assertEquals("after", observer.nextChat().getString("msg"), "nothing of it was published");
    }

    private static String jsonType(String text) {
        return jakarta.json.Json.createReader(new java.io.StringReader(text)).readObject().getString("type");
    }

    // --- 3: a long backlog arrives whole, then live traffic

    @Test
    void aResumeWithABacklogOverTheOutboundLimitGetsAllOfItThenGoesLive() {
        TestClient sender = join("sender");
        String epoch;
        try (TestClient first = TestClient.connect(uri("user=reader&room=" + room))) {
            epoch = first.welcome().getString("epoch");
        }
        String text = "y".repeat(1_000); // 300 of them: about 330 KB, more than the outbound limit
        for (int i = 1; i <= 300; i++) {
            sender.say(i + " " + text);
            assertEquals(i, sender.nextChat().getJsonNumber("id").longValue());
        }
        TestClient reader = TestClient.connect(uri("user=reader&room=" + room + "&since=0&epoch=" + epoch));
        open.add(reader);
        JsonObject welcome = reader.welcome();
        assertTrue(welcome.getBoolean("recovered"));
        for (int i = 1; i <= 300; i++) {
            assertEquals(i, reader.nextChat().getJsonNumber("id").longValue(), "the backlog, in order, whole");
        }
        sender.say("live");
        assertEquals("live", reader.nextChat().getString("msg"));
        assertTrue(reader.isOpen());
    }

    // --- 4: a crowd is not a slow reader

    @Test
    void aJoinStormOfTwoThousandEndsWithAllConnected() throws Exception {
        int count = 2000;
        // Tyrus' client, all on one shared Grizzly transport: the JDK 17 client, with this many
        // connections on one selector, fails a few of them with "Invalid UTF-8 in frame TEXT" on
        // frames that Node's ws and the JDK 25 client read fine from the same server.
        ClientManager client = ClientManager.createClient();
        client.getProperties().put(ClientProperties.SHARED_CONTAINER, true);
        List<Counting> crowd = new ArrayList<>();
        List<Future<Session>> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                Counting member = new Counting();
                crowd.add(member);
                sessions.add(client.asyncConnectToServer(member, ClientEndpointConfig.Builder.create().build(),
                        uri("user=crowd" + i + "&room=" + room)));
            }
            for (Future<Session> session : sessions) {
                session.get(120, TimeUnit.SECONDS);
            }
            // A crowd this big is announced in coalesced frames: each gets a few, not one per name.
            await(() -> crowd.stream().allMatch(c -> c.texts.get() >= 1 || c.closed.get() > 0), Duration.ofSeconds(60),
                    "everyone is welcomed");
            assertEquals(List.of(), crowd.stream().map(c -> c.failure).filter(f -> f != null).limit(3).toList(),
                    "nobody was closed");
            TestClient last = join("lastword");
            last.say("all here?");
            await(() -> crowd.stream().allMatch(c -> c.chats.get() == 1 || c.closed.get() > 0), Duration.ofSeconds(120),
                    "everyone has the message");
            assertEquals(List.of(), crowd.stream().map(c -> c.failure).filter(f -> f != null).limit(3).toList(),
                    "nobody was closed");
            // All of them close at once, while the room still sends to them: each close is answered
            // within seconds and newcomers still get in (Tomcat's threads all waited 20 s to answer).
            closeAll(sessions);
            await(() -> crowd.stream().allMatch(c -> c.closed.get() > 0), Duration.ofSeconds(10), "every close is answered");
            join("afterwards").say("the crowd has gone");
        } finally {
            closeAll(sessions);
            client.shutdown();
        }
    }

    private static void closeAll(List<Future<Session>> sessions) throws InterruptedException {
        for (Future<Session> session : sessions) {
            if (session.isDone() && !session.isCancelled()) {
                try {
                    Session open = session.get();
                    if (open.isOpen()) {
                        open.close();
                    }
                } catch (ExecutionException | IOException e) {
                    // it never opened, or went meanwhile: nothing to close
                }
            }
        }
    }

    /** A client that only counts: a crowd of TestClients would keep every frame. */
    private static final class Counting extends Endpoint {
        final AtomicInteger texts = new AtomicInteger();
        final AtomicInteger chats = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        volatile String failure; // how it was closed, or failed, if it was

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.addMessageHandler(String.class, text -> {
                texts.incrementAndGet();
                if (text.contains("\"type\":\"chat\"")) {
                    chats.incrementAndGet();
                }
            });
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            failure = failure != null ? failure : "closed " + reason;
            closed.incrementAndGet();
        }

        @Override
        public void onError(Session session, Throwable error) {
            failure = failure != null ? failure : "failed " + error;
            closed.incrementAndGet();
        }
    }

    // --- 5: a stalled reader is closed and released, the others go on

    private static final String TOO_SLOW_CLOSES = "chat_closed_total{code=\"1013\"}";

    @Test
    void aReaderStalledPastTheSendTimeoutIsClosedAndForgotten() throws Exception {
        OpsClient ops = OpsClient.forChat(chatUri(), null);
        double tooSlowBefore = OpsClient.value(ops.scrape(), TOO_SLOW_CLOSES);
        TestClient observer = join("observer");
        RawClient stalled = raw("user=stalled&room=" + room, 4_096);
        assertEquals("welcome", jsonType(stalled.read().text()));
        assertEquals("stalled", observer.next("join").getString("user"));
        TestClient sender = join("sender");
        observer.next("join");
        // About 8 MB: more than the small window and the server's socket buffers take (on loopback the
        // kernel lets a send buffer grow to 4 MB), and past the outbound limit (256 KiB here) or the
        // send timeout, whichever the runtime reaches first. The sender reads its own copy as it goes.
        String text = "z".repeat(1_990);
        int count = 4_000;
        for (int i = 0; i < count; i++) {
            sender.say(text);
            sender.nextChat();
        }
        boolean left = false;
        for (int i = 0; i < count; i++) {
            JsonObject frame = observer.next();
            if (frame.getString("type").equals("leave")) {
                assertEquals("stalled", frame.getString("user"), "it leaves the room: nothing of it is kept");
                left = true;
                i--;
            }
        }
        if (!left) {
            assertEquals("stalled", observer.next("leave").getString("user"), "it leaves the room");
        }
        assertTrue(stalled.endsWithin(TimeUnit.SECONDS.toMillis(10)), "its connection ends");
        sender.say("after");
        assertEquals("after", observer.nextChat().getString("msg"));
        assertEquals(tooSlowBefore + 1, OpsClient.value(ops.scrape(), TOO_SLOW_CLOSES), "the operator sees it");
    }

    @Test
    void aReaderThatStallsAndThenDropsItsConnectionLeavesItsRoomPromptly() throws Exception {
        TestClient observer = join("observer");
        RawClient dropper = raw("user=dropper&room=" + room, 4_096);
        assertEquals("welcome", jsonType(dropper.read().text()));
        assertEquals("dropper", observer.next("join").getString("user"));
        TestClient sender = join("sender");
        observer.next("join");
        // It reads nothing while the room sends it megabytes (queued in the kernel, and in the
        // container where it queues what the socket does not take), then drops its TCP connection
        // without a close frame, its unread data making that a reset.
        String text = "d".repeat(1_990);
        int count = 2_000;
        for (int i = 0; i < count; i++) {
            sender.say(text);
            sender.nextChat();
        }
        long dropped = System.nanoTime();
        dropper.close();
        long deadline = dropped + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            long left = deadline - System.nanoTime();
            assertTrue(left > 0, "the dropped connection is still in the room 5 s after its reset");
            TestClient.Event event = observer.nextEvent(Duration.ofNanos(left));
            if (event instanceof TestClient.Text frame && frame.text().contains("\"leave\"")) {
                assertTrue(frame.text().contains("\"dropper\""), () -> "unexpected " + frame.text());
                System.out.printf("leave %d ms after the drop%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dropped));
                break;
            }
        }
        sender.say("after");
        while (!observer.nextChat().getString("msg").equals("after")) {
            // the flood, then the message after it
        }
    }

    /**
     * A reader that pauses while the room sends it far more than it takes, then reads again: it
     * is too slow, the 1013 case, and it sees that close, or at least its connection's end,
     * promptly once it reads (on Tomcat it was closed with 1011 and saw neither).
     */
    @Test
    void aReaderThatPausesThenResumesIsClosedWith1013AndSeesItsEnd() throws Exception {
        OpsClient ops = OpsClient.forChat(chatUri(), null);
        Map<String, Double> before = ops.scrape();
        TestClient sender = join("sender");
        RawClient paused = raw("user=paused&room=" + room, 4_096);
        assertEquals("welcome", jsonType(paused.read().text()));
        sender.next("join");
        String text = "p".repeat(1_900);
        for (int i = 0; i < 8_000; i++) {
            sender.say(text);
            if (i % 100 == 99) {
                for (int j = 0; j < 100; j++) {
                    sender.nextChat(); // the sender reads its own copies as it goes
                }
            }
        }
        long resumed = System.nanoTime();
        assertTrue(paused.endsWithin(TimeUnit.SECONDS.toMillis(15)), "it sees its connection end once it reads");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - resumed);
        Map<String, Double> after = ops.scrapeUntil(m -> OpsClient.value(m, TOO_SLOW_CLOSES) > OpsClient.value(before, TOO_SLOW_CLOSES));
        assertEquals(OpsClient.value(before, TOO_SLOW_CLOSES) + 1, OpsClient.value(after, TOO_SLOW_CLOSES),
                "too slow: 1013 (ended " + seconds + " s after it read again; closes with 1011 before "
                        + OpsClient.value(before, SEND_FAILED_CLOSES) + ", after " + OpsClient.value(after, SEND_FAILED_CLOSES) + ")");
    }

    private static final String SEND_FAILED_CLOSES = "chat_closed_total{code=\"1011\"}";

    private static final String DELIVERIES = "chat_deliveries_total";

    /**
     * A peer that stopped reading, whose socket the server can no longer write to, sends a frame
     * over the limit: the close frame (1009) waits behind what it never reads, and the member is
     * already gone, so only the close itself may end the connection. It must end within the send
     * timeout, whatever is queued (it stayed ESTABLISHED with megabytes queued, forever).
     */
    @Test
    void aFrameOverTheLimitFromAReaderThatStoppedReadingEndsItsConnection() throws Exception {
        OpsClient ops = OpsClient.forChat(chatUri(), null);
        TestClient sender = join("sender");
        RawClient stalled = raw("user=stalled&room=" + room, 4_096);
        assertEquals("welcome", jsonType(stalled.read().text()));
        sender.next("join");
        // The room sends to it until its sends stop completing (the socket's buffers are full), well
        // before the outbound limit (256 KiB here) or the send timeout would close it with 1013.
        double before = OpsClient.value(ops.scrape(), DELIVERIES);
        String text = "z".repeat(1_990);
        int sent = 0;
        int behind = 0;
        while (behind < 40) {
            assertTrue(sent < 6_000, "the server's sends to a peer that reads nothing never stopped");
            for (int i = 0; i < 20; i++) {
                sender.say(text);
                sender.nextChat();
            }
            sent += 20;
            Thread.sleep(50);
            double toStalled = OpsClient.value(ops.scrape(), DELIVERIES) - before - sent; // the sender's own are done
            behind = (int) (sent - toStalled);
        }
        stalled.write(RawClient.text("{\"msg\":\"" + "x".repeat(70 * 1024) + "\"}"));
        // It reads nothing more: its connection must be gone within the send timeout all the same.
        assertTrue(stalled.refusesWritesWithin(TimeUnit.SECONDS.toMillis(SEND_TIMEOUT_SECONDS + 5)),
                "its connection is still open " + (SEND_TIMEOUT_SECONDS + 5) + " s after its close");
        sender.say("after");
        assertEquals("after", sender.nextChat().getString("msg"));
    }

    // --- 6: rooms made up by the thousand

    @Test
    void pastTheRoomLimitAnEmptyRoomMakesPlace() throws Exception {
        String first = room + "-0";
        String firstEpoch = null;
        for (int i = 0; i < 2 * MAX_ROOMS; i++) {
            try (TestClient client = TestClient.connect(uri("user=roomer&room=" + room + "-" + i))) {
                JsonObject welcome = client.welcome();
                if (i == 0) {
                    firstEpoch = welcome.getString("epoch");
                }
                client.say("one message");
                client.nextChat();
            }
            Thread.sleep(20); // the close reaches the server before the next room is made
        }
        TestClient back = TestClient.connect(uri("user=roomer&room=" + first + "&since=1&epoch=" + firstEpoch));
        open.add(back);
        JsonObject welcome = back.welcome();
        if (roomsInMemory()) {
            assertNotEquals(firstEpoch, welcome.getString("epoch"), "it was forgotten: a new epoch");
            assertEquals(0, welcome.getJsonNumber("lastId").longValue());
            assertFalse(welcome.getBoolean("recovered"));
        } else {
            assertEquals(firstEpoch, welcome.getString("epoch"), "Redis holds every room, the limit only what this server copies");
            assertEquals(1, welcome.getJsonNumber("lastId").longValue());
            assertTrue(welcome.getBoolean("recovered"));
        }
    }

    @Test
    void whenEveryRoomHasSomeoneANewRoomIsRefusedWithRoomLimit() throws Exception {
        List<TestClient> holders = new ArrayList<>();
        TestClient refused = null;
        for (int i = 0; i <= MAX_ROOMS && refused == null; i++) {
            TestClient client = TestClient.connect(uri("user=holder&room=" + room + "-" + i));
            open.add(client);
            JsonObject frame = client.next();
            if (frame.getString("type").equals("welcome")) {
                holders.add(client);
            } else {
                assertEquals("room-limit", frame.getString("code"), () -> "unexpected " + frame);
                TestClient.Closed closed = client.expectClose(1013);
                assertEquals("room-limit", closed.reason());
                refused = client;
            }
        }
        assertTrue(refused != null, "the room past the limit is refused");
        holders.get(0).close(); // its room had no message: it goes with its last member, and frees a place
        Thread.sleep(200);
        join("holder", room + "-again");
    }

    // --- 9: after a close is decided, nothing the connection sends counts

    @Test
    void framesAfterABinaryFrameAreIgnored() throws Exception {
        TestClient observer = join("observer");
        RawClient rude = rawSeenBy(observer, "rude");
        rude.write(RawClient.frame(RawClient.BINARY, new byte[] {1, 2, 3}),
                RawClient.text("{\"msg\":\"sneaked in after the binary frame\"}"));
        rude.expectClose(1003);
        observer.next("leave");
        TestClient other = join("other");
        other.say("the next message");
        JsonObject next = observer.nextChat();
        assertEquals("the next message", next.getString("msg"), () -> "nothing of rude's got through: " + next);
    }
}

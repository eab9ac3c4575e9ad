package dev.jchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.TestClient;
import dev.jchat.launcher.EmbeddedServer;
import dev.jchat.engine.redis.RedisServer;
import jakarta.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code CHAT_HISTORY_MAX_MB} through a real server: rooms filled with long messages, several
 * connections at a time, well past the budget; the heap after a full collection stays within it,
 * the rooms written last keep every message, and the stalest room, trimmed, answers a resume from
 * its first message with {@code recovered: false}. The WAR runtimes run the same in
 * {@code HistoryBudgetIT}.
 */
public class HistoryBudgetTest {

    /** The budget the scenario runs with, in MB. */
    public static final int BUDGET_MB = 8;
    private static final int ROOMS = 24;
    private static final int AT_ONCE = 4;          // connections writing at the same time, each to its room
    private static final int PER_ROOM = 150;
    /** Characters of each message, to allow in {@code CHAT_MAX_MESSAGE_CHARS}. */
    public static final int CHARS = 9_000;          // 24 x 150 x 9 KB: 30 MB of text, four times the budget
    /**
     * What else the filling may leave on the heap: the server's buffers, the rooms, the
     * collector's slack; in this JVM, also the 24 clients' own (measured: 10 to 13 MB grown in
     * all here, against 64 to 69 MB before the budget).
     */
    private static final long MARGIN_MB = 10;
    /** The same for a server in a process of its own (measured: 8 to 11 MB grown, 32 to 64 MB before). */
    public static final long PROCESS_MARGIN_MB = 8;

    /** The heap a server holds after a full collection, in bytes. */
    public interface Heap {
        long afterFullGc() throws Exception;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "redis"})
    void historiesStayWithinTheBudgetAndTheStalestRoomsLoseTheirOldestMessagesFirst(String engine) throws Exception {
        RedisServer redis = engine.equals("redis") ? RedisServer.start() : null;
        ChatConfig.Engine rooms = redis == null ? ChatConfig.Engine.inMemory()
                : ChatConfig.Engine.inMemory().withRedis(redis.url(), "chat");
        ChatConfig config = ChatConfig.defaults().withHost("127.0.0.1").withPort(0).withLimits(CHARS + 100, 65_536)
                .withSecurity(ChatConfig.Security.defaults().withRate(0, 0))
                .withEngine(rooms.withHistoryMaxMb(BUDGET_MB));
        try (EmbeddedServer server = EmbeddedServer.start(config)) {
            fillPastTheBudget(server.chatUri(), HistoryBudgetTest::heapAfterGc, MARGIN_MB, engine + " engine, embedded");
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    /**
     * The scenario, against a server started with {@code CHAT_HISTORY_MAX_MB=}{@link #BUDGET_MB},
     * {@code CHAT_MAX_MESSAGE_CHARS} at least {@link #CHARS} and no rate limit.
     */
    public static void fillPastTheBudget(URI chatUri, Heap heap, long marginMb, String label) throws Exception {
        String run = "b-" + UUID.randomUUID().toString().substring(0, 6) + "-";
        long before = heap.afterFullGc();
        List<String> epochs = new ArrayList<>();
        List<TestClient> all = new ArrayList<>(); // all stay in their rooms: with Redis, a room nobody is in here is let go
        try {
            for (int first = 0; first < ROOMS; first += AT_ONCE) {
                List<TestClient> writers = new ArrayList<>();
                for (int r = first; r < first + AT_ONCE; r++) {
                    TestClient writer = connect(chatUri, run + r, "&user=writer" + r);
                    all.add(writer);
                    epochs.add(writer.welcome().getString("epoch"));
                    writers.add(writer);
                }
                for (int id = 1; id <= PER_ROOM; id++) {
                    for (int i = 0; i < AT_ONCE; i++) {
                        writers.get(i).say(text(first + i, id));
                    }
                    for (TestClient writer : writers) {
                        assertEquals(id, writer.nextChat().getInt("id"));
                    }
                }
            }
            long after = heap.afterFullGc();
            long grownMb = (after - before) >> 20;
            System.out.printf("history budget %d MB, %s: heap after a full GC %d MB before, %d MB after"
                    + " %d MB of messages, grown %d MB%n", BUDGET_MB, label, before >> 20, after >> 20,
                    (long) ROOMS * PER_ROOM * CHARS >> 20, grownMb);
            assertTrue(grownMb <= BUDGET_MB + marginMb, label + ": the heap grew " + grownMb + " MB for a budget of "
                    + BUDGET_MB + " MB");

            int newest = ROOMS - 1;
            TestClient recent = connect(chatUri, run + newest, "&since=0&epoch=" + epochs.get(newest));
            all.add(recent);
            JsonObject welcome = recent.welcome();
            assertTrue(welcome.getBoolean("recovered"), "the room written last keeps every message");
            for (int id = 1; id <= PER_ROOM; id++) {
                JsonObject chat = recent.nextChat();
                assertEquals(id, chat.getInt("id"));
                assertEquals(text(newest, id), chat.getString("msg"));
            }

            TestClient stale = connect(chatUri, run + 0, "&since=1&epoch=" + epochs.get(0));
            all.add(stale);
            JsonObject trimmed = stale.welcome();
            assertEquals(epochs.get(0), trimmed.getString("epoch"), "the room is still there, trimmed");
            assertEquals(PER_ROOM, trimmed.getInt("lastId"));
            assertFalse(trimmed.getBoolean("recovered"), "its oldest messages went to the budget");
        } finally {
            all.forEach(TestClient::close);
        }
    }

    private static TestClient connect(URI chatUri, String room, String query) {
        return TestClient.connect(URI.create(chatUri + "?room=" + room + query));
    }

    private static String text(int room, int id) {
        String head = "room " + room + " message " + id + " ";
        return head + "x".repeat(CHARS - head.length());
    }

    /** This JVM's heap after a full collection: the least of a few, as one collection may leave some behind. */
    private static long heapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200);
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }
}

package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The room directory on a real redis-server: what it answers (rooms, names online, newest ids,
 * the dead left out), and that asking it of thousands of rooms does not hold up the chat.
 */
class RedisDirectoryTest {

    /** Questions each client of the load test keeps on their way. */
    private static final int ASKED_AT_ONCE = 8;

    @RegisterExtension
    final RedisChats chats = RedisChats.withRedis();
    private final RoomClients clients = chats.clients;

    private EmbeddedServer server(int presenceTtlSeconds) throws Exception {
        return chats.start(RedisChats.config(chats.redis().url(), presenceTtlSeconds));
    }

    private TestClient join(EmbeddedServer server, String room, String user) {
        TestClient client = clients.add(TestClient.connect(URI.create(server.chatUri() + "?room=" + room + "&user=" + user)));
        client.welcome();
        return client;
    }

    private static List<String> ask(TestClient client) {
        client.send("{\"type\":\"rooms\"}");
        JsonObject answer = nextOf(client, "rooms");
        return answer.getJsonArray("rooms").getValuesAs(JsonObject.class).stream()
                .map(r -> r.getString("room") + ":" + r.getInt("online") + ":" + r.getInt("lastId")).toList();
    }

    private static JsonObject nextOf(TestClient client, String type) {
        while (true) {
            JsonObject frame = client.next();
            if (type.equals(frame.getString("type", ""))) {
                return frame;
            }
            assertTrue(List.of("join", "leave", "chat", "typing").contains(frame.getString("type", "")),
                    () -> "unexpected " + frame);
        }
    }

    @Test
    void theDirectoryListsLiveRoomsWithTheirNamesAndNewestIdsAndDropsThoseOfDeadServers() throws Exception {
        EmbeddedServer a = server(3); // a presence entry lives 1 s, and is swept 1 s after that
        EmbeddedServer b = server(3);
        TestClient ann = join(a, "lobby", "ann");
        join(b, "lobby", "bob");
        join(b, "lobby", "cat");
        TestClient dan = join(b, "den", "dan");
        join(a, "zoo", "eve");
        join(a, "zoo", "fay");
        join(a, "%40ann", "hal"); // a direct conversation, @ann+hal: never listed
        join(a, "quiet", "gil");
        ann.say("one");
        ann.say("two");
        dan.say("three");
        nextOf(ann, "chat");
        nextOf(ann, "chat");
        nextOf(dan, "chat");
        // names of a server that died: told to Redis once and never refreshed, as by a killed server
        RedisRooms ofA = (RedisRooms) a.hub().rooms();
        ofA.presence().tell("ghosts", List.of("+x", "+y", "+z"));
        ofA.presence().tell("haunted", List.of("+w"));
        List<String> live = List.of("lobby:3:2", "zoo:2:0", "den:1:1", "quiet:1:0");
        List<String> withGhosts = List.of("ghosts:3:0", "lobby:3:2", "zoo:2:0", "den:1:1", "haunted:1:0", "quiet:1:0");
        assertEquals(withGhosts, awaitAnswer(ann, withGhosts), "most names first, then by name");
        assertEquals(live, awaitAnswer(dan, live), "the dead server's rooms are gone once its names expired");
        assertEquals(live, ask(ann), "and stay gone");
        for (int i = 0; i < 3; i++) {
            ofA.presence().tell("more-" + i, List.of("+v"));
        }
        assertEquals(List.of("lobby:3:2", "zoo:2:0", "den:1:1", "more-0:1:0", "more-1:1:0", "more-2:1:0", "quiet:1:0"),
                awaitAnswer(ann, List.of("lobby:3:2", "zoo:2:0", "den:1:1", "more-0:1:0", "more-1:1:0", "more-2:1:0",
                        "quiet:1:0")));
    }

    @Test
    void moreDeadRoomsThanOneCallDropsAreAllDroppedAndTheAnswerIsWhole() throws Exception {
        EmbeddedServer a = server(3);
        TestClient ann = join(a, "lobby", "ann");
        join(a, "zoo", "bob");
        RedisRooms engine = (RedisRooms) a.hub().rooms();
        for (int i = 0; i < 500; i++) { // more than a call drops (200), ahead of the live rooms in the order
            engine.presence().tell(String.format("dead-%03d", i), List.of("+x", "+y", "+z"));
        }
        Thread.sleep(2_000); // their entries expire 1 s after, and are dead 1 s after that
        assertEquals(List.of("lobby:1:0", "zoo:1:0"), awaitAnswer(ann, List.of("lobby:1:0", "zoo:1:0")));
        assertEquals(":2", chats.redis().command("ZCARD chat:room-directory"), "the dead rooms left the directory");
    }

    @Test
    void theDirectoryStopsAtAHundredRooms() throws Exception {
        EmbeddedServer a = server(300);
        TestClient ann = join(a, "lobby", "ann");
        join(a, "lobby", "bob");
        RedisRooms engine = (RedisRooms) a.hub().rooms();
        for (int i = 0; i < 150; i++) {
            engine.presence().tell(String.format("room-%03d", i), List.of("+u"));
        }
        List<String> expected = new ArrayList<>(List.of("lobby:2:0"));
        for (int i = 0; i < 99; i++) {
            expected.add(String.format("room-%03d:1:0", i));
        }
        assertEquals(expected, awaitAnswer(ann, expected));
    }

    @Test
    void askingTheDirectoryOfThousandsOfRoomsAsFastAsClientsMayDoesNotHoldUpMessages() throws Exception {
        int rooms = 3_000;
        int messages = 200;
        EmbeddedServer a = server(300); // the populated rooms' names live 100 s: all of the test
        RedisRooms engine = (RedisRooms) a.hub().rooms();
        for (int i = 0; i < rooms; i++) {
            engine.presence().tell("room-" + i, List.of("+u"));
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (Long.parseLong(chats.redis().command("DBSIZE").substring(1)) < 2L * rooms) { // presence and names of each
            assertTrue(System.nanoTime() < deadline, "rooms not populated in 30 s");
            Thread.sleep(50);
        }
        TestClient ann = join(a, "lobby", "ann");
        TestClient bob = join(a, "lobby", "bob");
        nextOf(ann, "join");
        List<TestClient> askers = List.of(join(a, "side", "asker1"), join(a, "side", "asker2"));
        AtomicBoolean asking = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(askers.size());
        List<Future<Integer>> answered = new ArrayList<>();
        for (TestClient asker : askers) {
            answered.add(pool.submit(() -> {
                // as fast as a client may without a rate limit: a few questions on their way at
                // all times, the next one sent as each answer comes in
                int n = 0;
                int waiting = 0;
                while (asking.get() || waiting > 0) {
                    while (asking.get() && waiting < ASKED_AT_ONCE) {
                        asker.send("{\"type\":\"rooms\"}");
                        waiting++;
                    }
                    List<JsonObject> answer = nextOf(asker, "rooms").getJsonArray("rooms").getValuesAs(JsonObject.class);
                    waiting--;
                    n++;
                    assertEquals(100, answer.size(), "a full directory");
                    assertEquals("lobby", answer.get(0).getString("room"), "the room with most names first");
                    assertEquals(2, answer.get(0).getInt("online"));
                }
                return n;
            }));
        }
        long start = System.nanoTime();
        List<Long> latencies = new ArrayList<>();
        for (int i = 1; i <= messages; i++) {
            long sent = System.nanoTime();
            ann.say("m" + i);
            for (TestClient client : List.of(ann, bob)) {
                JsonObject frame = client.next();
                while (frame.getString("type").equals("join") || frame.getString("type").equals("leave")) {
                    frame = client.next();
                }
                JsonObject got = frame;
                assertEquals("chat", got.getString("type"), () -> "a message was not published: " + got);
                assertEquals(i, got.getInt("id"));
            }
            latencies.add((System.nanoTime() - sent) / 1_000);
            Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        asking.set(false);
        int answers = 0;
        List<Throwable> failed = new ArrayList<>();
        for (Future<Integer> f : answered) {
            try {
                answers += f.get();
            } catch (ExecutionException e) {
                failed.add(e.getCause());
            }
        }
        pool.shutdown();
        Collections.sort(latencies);
        long p50 = latencies.get(latencies.size() / 2);
        long p99 = latencies.get((int) Math.ceil(latencies.size() * 0.99) - 1);
        System.out.printf("directory of %d rooms, two clients asking %d at a time: %d answers in %.1f s (%.0f/s); %d messages echoed, latency p50 %.1f ms,"
                + " p99 %.1f ms, max %.1f ms%n", rooms, ASKED_AT_ONCE, answers, seconds, answers / seconds, messages, p50 / 1e3,
                p99 / 1e3, latencies.get(latencies.size() - 1) / 1e3);
        assertEquals(List.of(), failed, "every question answered, rightly");
        assertTrue(p99 < 500_000, "p99 " + p99 / 1e3 + " ms: the directory holds up the chat");
    }

    /** Asks until the answer is the one expected (presence travels through Redis), for up to 10 s; the last answer. */
    private static List<String> awaitAnswer(TestClient client, List<String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<String> answer = ask(client);
        while (!answer.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            answer = ask(client);
        }
        return answer;
    }
}

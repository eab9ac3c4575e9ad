package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.TestClient;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two chat servers in this JVM on one real redis-server: the guarantees of PROTOCOL.md across
 * servers, restarts of every chat server, and Redis going away and coming back.
 */
class RedisEngineTest {

    private RedisServer redis;
    private final RedisChats chats = new RedisChats();
    private final RoomClients clients = chats.clients;
    private final String room = clients.room;

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        chats.close();
        if (redis != null) {
            redis.close();
        }
    }

    private ChatConfig config(String redisUrl) {
        return RedisChats.config(redisUrl, 3);
    }

    private EmbeddedServer server() throws Exception {
        return server(redis.url());
    }

    private EmbeddedServer server(String redisUrl) throws Exception {
        return server(config(redisUrl));
    }

    private EmbeddedServer server(ChatConfig config) throws Exception {
        return chats.start(config);
    }

    private TestClient connect(EmbeddedServer server, String query) {
        return clients.connect(server.chatUri(), query);
    }

    private TestClient join(EmbeddedServer server, String user) {
        return clients.join(server.chatUri(), user);
    }

    @Test
    void everyConnectionOnEveryServerGetsConsecutiveIdsInOneOrder() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        List<TestClient> senders = List.of(join(a, "ann"), join(b, "bob"), join(a, "cat"), join(b, "dan"));
        int each = 50;
        ExecutorService pool = Executors.newFixedThreadPool(senders.size());
        List<Future<?>> sent = new ArrayList<>();
        for (TestClient sender : senders) {
            sent.add(pool.submit(() -> {
                for (int i = 0; i < each; i++) {
                    sender.say("m" + i);
                }
            }));
        }
        for (Future<?> f : sent) {
            f.get();
        }
        pool.shutdown();
        List<String> first = null;
        for (TestClient client : senders) {
            List<String> seen = new ArrayList<>();
            for (int id = 1; id <= each * senders.size(); id++) {
                JsonObject chat = client.nextChat();
                assertEquals(id, chat.getInt("id"), "ids are consecutive, each once");
                seen.add(chat.getString("user") + ":" + chat.getString("msg"));
            }
            if (first == null) {
                first = seen;
            } else {
                assertEquals(first, seen, "one order for everyone");
            }
        }
        for (String name : List.of("ann", "bob", "cat", "dan")) {
            List<String> own = first.stream().filter(s -> s.startsWith(name + ":")).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < each; i++) {
                expected.add(name + ":m" + i);
            }
            assertEquals(expected, own, "a sender's messages keep their order");
        }
    }

    /**
     * Protocol version 3 across servers: a connection on each server in the same three rooms, each
     * sending to all three at once, sees every room's messages with consecutive ids in the one
     * order the other connection sees them in.
     */
    @Test
    void connectionsOnTwoServersInTheSameThreeRoomsSeeOneOrderPerRoom() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        List<String> rooms = List.of(room, room + "-2", room + "-3");
        TestClient ann = connect(a, "&v=3&user=ann");
        TestClient bob = connect(b, "&v=3&user=bob");
        for (TestClient client : List.of(ann, bob)) {
            assertEquals(room, client.welcome().getString("room"));
            for (String other : rooms.subList(1, 3)) {
                client.send("{\"type\":\"subscribe\",\"room\":\"" + other + "\"}");
            }
        }
        int each = 20;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> sent = new ArrayList<>();
        for (TestClient sender : List.of(ann, bob)) {
            sent.add(pool.submit(() -> {
                for (int i = 0; i < each; i++) {
                    for (String r : rooms) {
                        sender.send("{\"type\":\"chat\",\"room\":\"" + r + "\",\"msg\":\"m" + i + "\"}");
                    }
                }
            }));
        }
        for (Future<?> f : sent) {
            f.get();
        }
        pool.shutdown();
        Map<String, List<String>> first = null;
        for (TestClient client : List.of(ann, bob)) {
            Map<String, List<String>> seen = new HashMap<>();
            rooms.forEach(r -> seen.put(r, new ArrayList<>()));
            int chats = 0;
            while (chats < each * 2 * rooms.size()) {
                JsonObject frame = client.next();
                if (!frame.getString("type").equals("chat")) {
                    continue; // welcomes of the rooms subscribed, and presence
                }
                chats++;
                List<String> inRoom = seen.get(frame.getString("room"));
                assertEquals(inRoom.size() + 1, frame.getInt("id"), () -> "ids are consecutive in " + frame.getString("room"));
                inRoom.add(frame.getString("user") + ":" + frame.getString("msg"));
            }
            if (first == null) {
                first = seen;
            } else {
                assertEquals(first, seen, "one order per room for everyone, on either server");
            }
        }
        for (String r : rooms) {
            for (String name : List.of("ann", "bob")) {
                List<String> own = first.get(r).stream().filter(s -> s.startsWith(name + ":")).toList();
                assertEquals(each, own.size(), () -> name + "'s messages in " + r);
                assertEquals(name + ":m" + (each - 1), own.get(each - 1), "a sender's messages keep their order");
            }
        }
    }

    @Test
    void aNameIsOnlineOnceAcrossServers() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient bob = join(b, "bob");
        TestClient alice = connect(a, "&user=alice");
        assertEquals(List.of("alice", "bob"), TestClient.strings(alice.welcome(), "users"));
        JsonObject joined = bob.next("join");
        assertEquals("alice", joined.getString("user"));
        assertEquals(2, joined.getInt("online"));

        TestClient aliceAgain = connect(b, "&user=alice"); // her second connection, on the other server
        assertEquals(List.of("alice", "bob"), TestClient.strings(aliceAgain.welcome(), "users"));
        alice.close();
        aliceAgain.say("still here");
        assertEquals("still here", bob.next("chat").getString("msg"), "no leave while she is on a server");
        aliceAgain.close();
        JsonObject left = bob.next("leave");
        assertEquals("alice", left.getString("user"));
        assertEquals(1, left.getInt("online"));
    }

    @Test
    void aClientResumesOnTheOtherServerWithExactlyWhatItMissed() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient reader = connect(a, "&user=reader");
        JsonObject welcome = reader.welcome();
        String epoch = welcome.getString("epoch");
        TestClient writer = join(b, "writer");
        reader.next("join");
        writer.say("one");
        assertEquals(1, reader.next("chat").getInt("id"));
        reader.close();
        for (int i = 2; i <= 5; i++) {
            writer.say("m" + i);
        }
        for (int id = 1; id <= 5; id++) {
            assertEquals(id, writer.nextChat().getInt("id"));
        }
        TestClient resumed = connect(b, "&user=reader&since=1&epoch=" + epoch);
        JsonObject again = resumed.welcome();
        assertTrue(again.getBoolean("recovered"));
        assertEquals(epoch, again.getString("epoch"));
        for (int id = 2; id <= 5; id++) {
            JsonObject chat = resumed.next("chat");
            assertEquals(id, chat.getInt("id"));
            assertEquals("m" + id, chat.getString("msg"));
        }
    }

    @Test
    void historyIdsAndEpochSurviveARestartOfEveryChatServer() throws Exception {
        EmbeddedServer a = server();
        TestClient writer = join(a, "writer");
        for (int i = 1; i <= 3; i++) {
            writer.say("before " + i);
            writer.nextChat();
        }
        String epoch = connect(a, "").welcome().getString("epoch");
        chats.close(); // every server stops

        EmbeddedServer restarted = server();
        TestClient back = connect(restarted, "&user=writer&since=1&epoch=" + epoch);
        JsonObject welcome = back.welcome();
        assertEquals(epoch, welcome.getString("epoch"), "the epoch changes only when Redis lost the room");
        assertEquals(3, welcome.getInt("lastId"));
        assertTrue(welcome.getBoolean("recovered"));
        assertEquals("before 2", back.next("chat").getString("msg"));
        assertEquals("before 3", back.next("chat").getString("msg"));
        back.say("after");
        assertEquals(4, back.nextChat().getInt("id"));
    }

    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {"killed", "stopped"})
    void withRedisGoneMessagesAreRefusedNotLateAndTheChatGoesOnWhenItIsBack(String how) throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient ann = join(a, "ann");
        TestClient bob = join(b, "bob");
        ann.next("join");
        ann.say("first");
        assertEquals(1, bob.nextChat().getInt("id"));
        assertEquals(1, ann.nextChat().getInt("id"));

        if (how.equals("killed")) {
            redis.kill();
        } else {
            redis.stop();
        }
        ann.say("lost");
        ann.expectError("unavailable");
        TestClient late = connect(b, "&user=late");
        late.expectError("unavailable");
        late.expectClose(1013);
        assertTrue(ann.isOpen() && bob.isOpen(), "connections stay open");

        redis.startAgain();
        RedisChats.awaitServing(b);
        RedisChats.awaitServing(a);
        bob.say("second");
        JsonObject second = ann.nextChat();
        assertEquals(2, second.getInt("id"), "ids go on from Redis' own data, with no gap and nothing late");
        assertEquals("second", second.getString("msg"));
        assertEquals(2, bob.nextChat().getInt("id"));
    }

    @Test
    void withRedisGoneASubscribeIsRefusedForThatRoomAloneAndWorksWhenRedisIsBack() throws Exception {
        EmbeddedServer a = server();
        TestClient ann = connect(a, "&v=3&user=ann");
        ann.welcome();
        redis.stop();
        ann.send("{\"type\":\"subscribe\",\"room\":\"" + room + "-more\"}");
        assertEquals(room + "-more", ann.expectError("unavailable").getString("room"));
        assertTrue(ann.isOpen(), "the connection stays open in its first room");

        redis.startAgain();
        RedisChats.awaitServing(a);
        ann.send("{\"type\":\"subscribe\",\"room\":\"" + room + "-more\"}");
        JsonObject welcome = ann.next();
        while (!welcome.getString("type").equals("welcome")) {
            welcome = ann.next(); // what the first room had to say meanwhile
        }
        assertEquals(room + "-more", welcome.getString("room"));
    }

    @Test
    void aNameSubscribedOnTwoServersLeavesARoomWithItsLastConnectionInItAnywhere() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient watcher = join(a, "watcher");
        TestClient onA = connect(a, "&v=3&user=ann");
        onA.welcome();
        assertEquals("ann", watcher.next("join").getString("user"));
        TestClient onB = clients.add(TestClient.connect(URI.create(b.chatUri() + "?v=3&user=ann&room=" + room + "-elsewhere")));
        assertEquals(room + "-elsewhere", onB.welcome().getString("room"));
        onB.send("{\"type\":\"subscribe\",\"room\":\"" + room + "\"}");
        assertEquals(List.of("ann", "watcher"), TestClient.strings(onB.next("welcome"), "users"));
        onA.send("{\"type\":\"unsubscribe\",\"room\":\"" + room + "\"}");
        assertEquals(room, onA.next("unsubscribed").getString("room"));
        watcher.say("still one ann here");
        assertEquals("chat", watcher.next().getString("type"), "her connection on B keeps her in the room");
        onB.send("{\"type\":\"unsubscribe\",\"room\":\"" + room + "\"}");
        JsonObject leave = watcher.next("leave");
        assertEquals("ann", leave.getString("user"));
        assertEquals(room, leave.getString("room"));
        assertEquals(1, leave.getInt("online"));
        assertTrue(onA.isOpen() && onB.isOpen(), "unsubscribing closes nothing");
    }

    @Test
    void whenRedisLostTheRoomItsConnectionsComeBackToANewEpoch() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient ann = connect(a, "&user=ann");
        String epoch = ann.welcome().getString("epoch");
        TestClient bob = join(b, "bob");
        bob.say("before");
        assertEquals(1, ann.nextChat().getInt("id"));
        assertEquals("+OK", redis.command("FLUSHALL"));
        bob.say("after the loss"); // starts the room over: id 1 of a new epoch
        for (TestClient client : List.of(ann, bob)) {
            TestClient.Closed closed = (TestClient.Closed) client.nextEventSkippingText();
            assertEquals(1012, closed.code(), "told the room restarted");
        }
        TestClient back = connect(a, "&user=ann&since=1&epoch=" + epoch);
        JsonObject welcome = back.welcome();
        assertFalse(welcome.getBoolean("recovered"), "ids of the lost sequence cannot be compared");
        assertFalse(epoch.equals(welcome.getString("epoch")));
        JsonObject chat = back.nextChat();
        assertEquals(1, chat.getInt("id"));
        assertEquals("after the loss", chat.getString("msg"));
    }

    @Test
    void aServerWhoseSubscriptionAloneWasCutCatchesUpFromTheStream() throws Exception {
        try (CuttingProxy proxy = new CuttingProxy(redis.port())) {
            EmbeddedServer a = server(proxy.url());
            EmbeddedServer b = server();
            TestClient reader = join(a, "reader");
            TestClient writer = join(b, "writer");
            assertEquals("writer", reader.next("join").getString("user"));
            proxy.cutSubscribers(1_500); // and its reconnects, for a while: these are published meanwhile
            for (int i = 1; i <= 3; i++) {
                writer.say("while cut " + i);
            }
            for (int id = 1; id <= 3; id++) {
                assertEquals(id, writer.nextChat().getInt("id"));
            }
            for (int id = 1; id <= 3; id++) {
                JsonObject chat = reader.nextChat();
                assertEquals(id, chat.getInt("id"), "caught up in order, each once");
                assertEquals("while cut " + id, chat.getString("msg"));
            }
            assertTrue(proxy.openSubscribers() > 0, "the subscription is back");
            writer.say("after");
            JsonObject after = reader.nextChat();
            assertEquals(4, after.getInt("id"));
            assertEquals("after", after.getString("msg"));
        }
    }

    /**
     * A server that missed more than Redis keeps logs the gap as lost; a client that resumes there
     * from before the gap is told it was not given everything, even though this server still holds
     * messages from before the gap (its history is longer than what the writers' server trims the
     * stream to).
     */
    @Test
    void aResumeFromBeforeAGapThisServerLostIsNotRecovered() throws Exception {
        try (CuttingProxy proxy = new CuttingProxy(redis.port())) {
            EmbeddedServer a = server(config(proxy.url()).withHistory(10, 10));
            EmbeddedServer b = server(config(redis.url()).withHistory(3, 3)); // its publishes keep 3 in the stream
            TestClient reader = connect(a, "&user=reader");
            String epoch = reader.welcome().getString("epoch");
            TestClient writer = join(b, "writer");
            assertEquals("writer", reader.next("join").getString("user"));
            for (int i = 1; i <= 2; i++) {
                writer.say("m" + i);
                assertEquals(i, reader.nextChat().getInt("id"));
            }
            proxy.cutSubscribers(1_500); // a misses 3..8, and Redis keeps only 6..8 of them
            for (int i = 3; i <= 8; i++) {
                writer.say("m" + i);
            }
            for (int id = 1; id <= 8; id++) {
                assertEquals(id, writer.nextChat().getInt("id"));
            }
            for (int id = 6; id <= 8; id++) {
                assertEquals(id, reader.nextChat().getInt("id"), "a caught up with what Redis still had");
            }
            TestClient resumed = connect(a, "&user=late&since=1&epoch=" + epoch);
            JsonObject welcome = resumed.welcome();
            assertEquals(8, welcome.getInt("lastId"));
            assertFalse(welcome.getBoolean("recovered"), "3..5 were lost on this server");
            TestClient after = connect(a, "&user=later&since=5&epoch=" + epoch);
            assertTrue(after.welcome().getBoolean("recovered"), "6.. is all held");
            assertEquals(6, after.nextChat().getInt("id"));
        }
    }

    @Test
    void whileRedisIsSlowToJoinWhatAClientAsksIsAnsweredAfterItsWelcome() throws Exception {
        EmbeddedServer a = server();
        join(a, "first"); // the engine is connected and serving
        assertEquals("+OK", redis.command("CLIENT PAUSE 1000"), "Redis holds every command for a second");
        TestClient eager = connect(a, "&user=eager"); // its name's claim and the room's sync wait
        eager.send("{\"type\":\"ping\"}");
        eager.send("{\"type\":\"rooms\"}");
        eager.send("not json");
        JsonObject first = eager.next();
        assertEquals("welcome", first.getString("type"), () -> "nothing goes before the welcome: " + first);
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            answers.add(eager.next().getString("type"));
        }
        assertEquals(List.of("error", "pong", "rooms"), answers.stream().sorted().toList(), "each answered once");
        assertTrue(answers.indexOf("pong") < answers.indexOf("error"), "in the order asked: " + answers);
    }

    @Test
    void aServerStartedWhileRedisIsDownStartsAndServesOnceRedisAnswers() throws Exception {
        redis.stop();
        EmbeddedServer a = server();
        TestClient early = connect(a, "&user=early");
        early.expectError("unavailable");
        early.expectClose(1013);
        redis.startAgain();
        RedisChats.awaitServing(a);
        TestClient later = join(a, "later");
        later.say("made it");
        assertEquals(1, later.nextChat().getInt("id"));
    }

    @Test
    void aRoomWithoutMessagesLivesOnInRedisWhileSomeoneIsInIt() throws Exception {
        EmbeddedServer a = server();
        join(a, "alice");
        String meta = "chat:{" + room + "}:meta";
        assertEquals(":1", redis.command("EXPIRE " + meta + " 5"), "load made the room's meta");
        Thread.sleep(1_500); // a presence refresh comes every TTL / 3 = 1 s
        long ttl = Long.parseLong(redis.command("TTL " + meta).substring(1));
        assertTrue(ttl > 80_000, "kept a day past the last refresh, not " + ttl + " s");
    }

    @Test
    void theRoomDirectoryIsOneAcrossServers() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient onA = connect(a, "&user=ann");
        onA.welcome();
        TestClient onB = clients.add(TestClient.connect(URI.create(b.chatUri() + "?room=" + room + "-b&user=bob")));
        onB.welcome();
        TestClient alsoB = connect(b, "&user=cid");
        alsoB.welcome();
        onA.next("join");
        for (TestClient asking : List.of(onA, onB)) {
            asking.send("{\"type\":\"rooms\"}");
            List<JsonObject> rooms = asking.next("rooms").getJsonArray("rooms").getValuesAs(JsonObject.class);
            List<String> listed = rooms.stream().map(r -> r.getString("room") + ":" + r.getInt("online")).toList();
            assertEquals(List.of(room + ":2", room + "-b:1"), listed, "one directory, whichever server is asked");
        }
    }

    @Test
    void aDirectMessageOnOneServerIsNoticedToTheOtherNameOnAnother() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient annOnA = connect(a, "&user=ann");
        annOnA.welcome();
        TestClient bobOnB = clients.add(TestClient.connect(URI.create(b.chatUri() + "?user=bob&room="
                + URLEncoder.encode("@ann", StandardCharsets.UTF_8))));
        assertEquals("@ann+bob", bobOnB.welcome().getString("room"));
        bobOnB.say("across");
        JsonObject notice = annOnA.next("notice");
        assertEquals("@ann+bob", notice.getString("room"));
        assertEquals("bob", notice.getString("user"));
        assertEquals("across", notice.getString("msg"));
        TestClient annOnAInIt = clients.add(TestClient.connect(URI.create(a.chatUri() + "?user=ann&room="
                + URLEncoder.encode("@ann+bob", StandardCharsets.UTF_8))));
        annOnAInIt.welcome();
        assertEquals("across", annOnAInIt.nextChat().getString("msg"), "one conversation, whichever server holds it");
    }

    @Test
    void aNameClaimedOnOneServerIsHeldOnEveryServerAndAfterTheirRestart() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        String key = connect(a, "&user=zoe&key=").welcome().getString("key");
        connect(b, "&user=zoe&key=").expectError("name-taken");
        assertEquals(key, connect(b, "&user=zoe&key=" + key).welcome().getString("key"));
        assertEquals("$64", redis.command("HGET chat:name:zoe digest"), "what is stored is a SHA-256 in hex, not the key");

        chats.close(); // every server stops
        EmbeddedServer restarted = server();
        connect(restarted, "&user=zoe&key=").expectError("name-taken");
        assertEquals("zoe", connect(restarted, "&user=zoe&key=" + key).welcome().getString("user"));
    }

    @Test
    void aStoppedServerLeavesNoThreadOfTheEngine() throws Exception {
        EmbeddedServer a = server();
        join(a, "alice").say("hi");
        assertTrue(engineThreads().size() > 0, "the engine runs threads of its own: " + engineThreads());
        a.close();
        chats.closed(a);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!engineThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(List.of(), engineThreads());
    }

    private static List<String> engineThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("lettuce-") || name.startsWith("chat-redis-"))
                .sorted().toList();
    }
}

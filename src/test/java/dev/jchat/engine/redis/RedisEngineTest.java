package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two chat servers in this JVM on one real redis-server: the guarantees of PROTOCOL.md across
 * servers ({@link MultiServerContract}), and Redis going away and coming back, lost, slow, or cut
 * off from one server's subscription.
 */
class RedisEngineTest extends MultiServerContract {

    private RedisServer redis;

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

    @Override
    protected String redisUrl() {
        return redis.url();
    }

    @Override
    protected List<String> ask(String command) throws Exception {
        return redis.ask(command);
    }

    private EmbeddedServer server(String redisUrl) throws Exception {
        return server(config(redisUrl));
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
    void aClaimedNameIsStoredAsTheDigestOfItsKeyNotTheKey() throws Exception {
        connect(server(), "&user=zoe&key=").welcome();
        assertEquals("$64", redis.command("HGET chat:name:zoe digest"), "what is stored is a SHA-256 in hex, not the key");
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

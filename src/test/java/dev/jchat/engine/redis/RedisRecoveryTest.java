package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.OpsClient;
import dev.jchat.TestClient;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two chat servers in this JVM on one real redis-server that loses what they saw: restored from an
 * older snapshot, or a room's keys put back as they were earlier. Whatever a server or a client saw
 * that Redis no longer holds starts the room's next epoch, and every message published after the
 * loss reaches everyone. And a server whose copy lags answers a valid {@code since} once it has
 * caught up, not as a loss.
 */
class RedisRecoveryTest {

    private RedisServer redis;
    private final RedisChats chats = new RedisChats();
    private final RoomClients clients = chats.clients;
    private final String room = clients.room;

    @AfterEach
    void stopAll() throws Exception {
        chats.close();
        if (redis != null) {
            redis.close();
        }
    }

    private EmbeddedServer server(String redisUrl) throws Exception {
        return chats.start(redisUrl);
    }

    private TestClient connect(EmbeddedServer server, String query) {
        return clients.connect(server.chatUri(), query);
    }

    /** Says "old FROM" to "old TO" and waits for each echo. */
    private static void sayOld(TestClient sender, int from, int to) {
        for (int i = from; i <= to; i++) {
            sender.say("old " + i);
            assertEquals(i, sender.nextChat().getInt("id"));
        }
    }

    /**
     * Resumes as a client would after a 1012: with what it saw of the old epoch. The welcome must
     * say nothing was recovered, in a new epoch; returns the chats of its backlog up to {@code id}.
     */
    private List<String> resumeLost(EmbeddedServer server, String user, long since, String oldEpoch, long upTo) {
        TestClient back = connect(server, "&user=" + user + "&since=" + since + "&epoch=" + oldEpoch);
        JsonObject welcome = back.welcome();
        assertFalse(welcome.getBoolean("recovered"), user + " resuming at " + since + " of the lost epoch: " + welcome);
        assertNotEquals(oldEpoch, welcome.getString("epoch"), "a new epoch");
        List<String> seen = new ArrayList<>();
        long id = 0;
        while (id < upTo) {
            JsonObject chat = back.nextChat();
            id = chat.getInt("id");
            seen.add(id + ":" + chat.getString("msg"));
        }
        return seen;
    }

    private static void expectRestart(TestClient client) {
        TestClient.Event event = client.nextEventSkippingText();
        assertTrue(event instanceof TestClient.Closed closed && closed.code() == 1012,
                "told the room restarted (1012), got " + event);
    }

    @Test
    void aRedisRestartedFromAnOlderSnapshotStartsANewEpochAndNewMessagesReachEveryone() throws Exception {
        redis = RedisServer.startFromSnapshots();
        EmbeddedServer a = server(redis.url());
        EmbeddedServer b = server(redis.url());
        TestClient ann = connect(a, "&user=ann"); // server A holds a copy of the room
        String epoch = ann.welcome().getString("epoch");
        sayOld(ann, 1, 3);
        assertEquals("+OK", redis.command("SAVE"));
        sayOld(ann, 4, 6);
        redis.kill();
        redis.startAgain(); // seq 3 again, same epoch
        RedisChats.awaitServing(a);
        RedisChats.awaitServing(b);

        expectRestart(ann); // A's copy is at 6, Redis at 3: the sync after the reconnect sees the loss
        TestClient annBack = connect(a, "&user=ann&since=6&epoch=" + epoch);
        JsonObject welcome = annBack.welcome();
        assertFalse(welcome.getBoolean("recovered"));
        String next = welcome.getString("epoch");
        assertNotEquals(epoch, next);
        assertEquals(3, welcome.getInt("lastId"), "the new epoch keeps Redis' sequence and history");

        TestClient carl = connect(b, "&user=carl"); // B had no copy: it loads the restored room
        assertEquals(next, carl.welcome().getString("epoch"));
        for (TestClient client : List.of(annBack, carl)) {
            for (int id = 1; id <= 3; id++) {
                assertEquals(id + ":old " + id, idAndMsg(client.nextChat()), "the backlog Redis holds");
            }
        }
        carl.say("new from b");
        for (TestClient client : List.of(carl, annBack)) {
            assertEquals("4:new from b", idAndMsg(client.nextChat()), "echoed to its sender, reaches everyone");
        }
        annBack.say("new from a");
        for (TestClient client : List.of(annBack, carl)) {
            assertEquals("5:new from a", idAndMsg(client.nextChat()), "echoed to its sender, reaches everyone");
        }
        for (long since : List.of(3L, 6L)) {
            for (EmbeddedServer server : List.of(a, b)) {
                List<String> backlog = resumeLost(server, "dan", since, epoch, 5);
                assertEquals(List.of("1:old 1", "2:old 2", "3:old 3", "4:new from b", "5:new from a"), backlog);
            }
        }
    }

    /**
     * The room's keys are put back as they were at id 3 while the servers stay connected (as a
     * restore could, with no reconnect to notice it by), then a message is published: by the server
     * whose copy is at 6, by one with no copy (the first server learns of it from the channel), or
     * three by one with no copy while the first server's channel is cut (it learns of them from the
     * stream).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"published where the copy is ahead", "published where there was no copy",
            "published while the copy's channel was cut"})
    void whenRedisNoLongerHoldsWhatAServerSawTheRoomGetsANewEpoch(String how) throws Exception {
        redis = RedisServer.start();
        try (CuttingProxy proxy = new CuttingProxy(redis.port())) {
            EmbeddedServer a = server(proxy.url());
            EmbeddedServer b = server(redis.url());
            TestClient ann = connect(a, "&user=ann");
            String epoch = ann.welcome().getString("epoch");
            sayOld(ann, 1, 3);
            String meta = "chat:{" + room + "}:meta";
            String log = "chat:{" + room + "}:log";
            assertEquals(":1", redis.command("COPY " + meta + " backup-meta"));
            assertEquals(":1", redis.command("COPY " + log + " backup-log"));
            sayOld(ann, 4, 6);
            int published = how.contains("cut") ? 3 : 1;
            if (how.contains("cut")) {
                proxy.cutSubscribers(1_500);
            }
            assertEquals(":1", redis.command("COPY backup-meta " + meta + " REPLACE"));
            assertEquals(":1", redis.command("COPY backup-log " + log + " REPLACE"));

            TestClient sender = how.contains("ahead") ? ann : connect(b, "&user=carl");
            if (sender != ann) {
                assertEquals(3, sender.welcome().getInt("lastId"));
            }
            for (int i = 1; i <= published; i++) {
                sender.say("new " + i);
            }
            expectRestart(ann);
            if (sender != ann) {
                expectRestart(sender); // B learns of the new epoch on the channel
            }
            List<String> expected = new ArrayList<>(List.of("1:old 1", "2:old 2", "3:old 3"));
            for (int i = 1; i <= published; i++) {
                expected.add((3 + i) + ":new " + i);
            }
            assertEquals(expected, resumeLost(a, "ann", 6, epoch, 3 + published), "ann sees the new messages");
            assertEquals(expected, resumeLost(b, "carl", 3 + published, epoch, 3 + published),
                    "the sender sees its own");
            assertEquals(expected, resumeLost(b, "dan", 3, epoch, 3 + published));
        }
    }

    @ParameterizedTest(name = "since with its epoch: {0}")
    @ValueSource(booleans = {true, false})
    void aServerWhoseCopyLagsAnswersAValidSinceOnceItCaughtUp(boolean withEpoch) throws Exception {
        redis = RedisServer.start();
        try (CuttingProxy proxy = new CuttingProxy(redis.port())) {
            EmbeddedServer a = server(redis.url());
            EmbeddedServer b = server(proxy.url());
            TestClient reader = connect(b, "&user=reader");
            reader.welcome();
            TestClient writer = connect(a, "&user=writer");
            String epoch = writer.welcome().getString("epoch");
            assertEquals("writer", reader.next("join").getString("user"));
            proxy.holdSubscribers(); // B's channel lags: its copy stays at 0
            sayOld(writer, 1, 5);

            // saw 4 on A, moves to B (without an epoch, since is read in the current one)
            TestClient resumed = connect(b, "&user=moved&since=4" + (withEpoch ? "&epoch=" + epoch : ""));
            JsonObject welcome = resumed.welcome();
            assertTrue(welcome.getBoolean("recovered"), "a valid since of the room's epoch: " + welcome);
            assertEquals(epoch, welcome.getString("epoch"));
            assertEquals(5, welcome.getInt("lastId"));
            assertEquals("5:old 5", idAndMsg(resumed.nextChat()));
            for (int id = 1; id <= 5; id++) {
                assertEquals(id + ":old " + id, idAndMsg(reader.nextChat()), "the copy caught up for everyone");
            }

            proxy.releaseSubscribers(); // the channel's copies of 1-5 are duplicates now, and dropped
            writer.say("six");
            for (TestClient client : List.of(reader, resumed, writer)) {
                assertEquals("6:six", idAndMsg(client.nextChat()));
            }
        }
    }

    @Test
    void aSinceAboveWhatRedisHoldsIsThatClientsAnswerAloneAndNobodyElseNotices() throws Exception {
        redis = RedisServer.start();
        EmbeddedServer a = server(redis.url());
        EmbeddedServer b = server(redis.url());
        TestClient writer = connect(a, "&user=writer");
        String epoch = writer.welcome().getString("epoch");
        sayOld(writer, 1, 5);
        // a client says it saw 7 of this epoch, which Redis does not hold: a lie, or a loss nobody can
        // prove; either way that client alone is told nothing was recovered
        TestClient ahead = connect(b, "&user=ahead&since=7&epoch=" + epoch);
        JsonObject welcome = ahead.welcome();
        assertFalse(welcome.getBoolean("recovered"), welcome.toString());
        assertEquals(epoch, welcome.getString("epoch"), "the room goes on in its epoch");
        assertEquals(5, welcome.getInt("lastId"));
        for (int id = 1; id <= 5; id++) {
            assertEquals(id + ":old " + id, idAndMsg(ahead.nextChat()), "the recent history instead");
        }
        // and nobody else notices: the writer is not sent away, and the ids go on
        writer.say("still here");
        JsonObject echo = writer.nextChat();
        assertEquals(6, echo.getInt("id"), "the writer was not closed with 1012: " + echo);
        assertEquals("6:still here", idAndMsg(ahead.nextChat()));
    }

    /**
     * What a client claims to have seen (a since above the copy, an epoch of its own making) makes
     * the copy read the room from Redis again; a stream of such handshakes must not keep Redis and
     * the room reloading back to back: at most one such read per room every two seconds.
     */
    @Test
    void madeUpResumesCannotKeepTheRoomReloading() throws Exception {
        redis = RedisServer.start();
        EmbeddedServer a = server(redis.url());
        TestClient writer = connect(a, "&user=writer");
        writer.welcome();
        sayOld(writer, 1, 5);
        OpsClient ops = OpsClient.forChat(a.chatUri(), null);
        String loads = "chat_engine_seconds_count{op=\"load\"}";
        double before = OpsClient.value(ops.scrape(), loads);
        long started = System.nanoTime();
        for (int i = 0; i < 40; i++) {
            TestClient liar = connect(a, "&user=liar" + i + "&since=" + (1000 + i) + "&epoch=madeup" + i);
            JsonObject welcome = liar.welcome();
            assertFalse(welcome.getBoolean("recovered"), welcome.toString());
            liar.close();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double reads = OpsClient.value(ops.scrape(), loads) - before;
        System.out.printf("40 made-up resumes in %.1f s made %.0f reads of the room%n", seconds, reads);
        assertTrue(reads <= 2 + seconds / 2, "at most one read per two seconds (and one on its way): " + reads
                + " reads in " + seconds + " s");
        writer.say("still fine");
        assertEquals(6, writer.nextChat().getInt("id"));
    }

    private static String idAndMsg(JsonObject chat) {
        return chat.getInt("id") + ":" + chat.getString("msg");
    }
}

package dev.jchat.webhook;

import static dev.jchat.webhook.Clients.say;
import static dev.jchat.webhook.Receiver.assertIds;
import static dev.jchat.webhook.Receiver.inRoom;
import static dev.jchat.webhook.Receiver.ofName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.ApiClient;
import dev.jchat.LogLines;
import dev.jchat.OpsClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.Map;
import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import dev.jchat.engine.redis.RedisServer;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Webhooks with two chat servers on one real redis-server and a real receiver: each event once
 * for the whole chat, in id order per room, retried, online and one offline for a name that moves
 * between servers, and nothing lost when the server delivering them goes while the receiver is down.
 */
class RedisWebhooksTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    final RedisRig rig = new RedisRig();

    private EmbeddedServer server() throws Exception {
        ChatConfig config = WebhooksTest.config(rig.receiver().url()).withPort(0)
                .withEngine(ChatConfig.Engine.inMemory().withRedis(rig.redisUrl(), "chat").withPresenceTtlSeconds(3));
        return rig.started(EmbeddedServer.start(config));
    }

    private TestClient join(EmbeddedServer server, String room, String user) {
        return rig.clients().join(server.chatUri(), room, user);
    }

    @Test
    void eachEventOnceInOrderRetriedAndOneOfflineForANameThatMovedBetweenServers() throws Exception {
        String room = "rw-once";
        rig.receiver().refuse(inRoom(room), 2); // the room's first event twice: it holds the rest
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient ann = join(a, room, "ann");
        TestClient bob = join(b, room, "bob");
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(say(ann, "a" + i));
            ids.add(say(bob, "b" + i));
        }
        ann.send("{\"type\":\"edit\",\"id\":" + ids.get(0) + ",\"msg\":\"a0 again\"}");
        ids.add(ann.skipTo("edit").getJsonNumber("id").longValue());
        assertEquals(200, ApiClient.forChat(b.chatUri(), WebhooksTest.KEY)
                .send("DELETE", "api/rooms/" + room + "/messages/" + ids.get(1), null).statusCode());
        ids.add(ids.get(ids.size() - 1) + 1);

        List<JsonObject> events = rig.receiver().taken(inRoom(room), ids.size(), WAIT);
        assertIds(events, ids.stream().mapToLong(Long::longValue).toArray());
        assertEquals("edit", events.get(10).getString("event"));
        assertEquals("delete", events.get(11).getString("event"));
        assertEquals("bob", events.get(1).getString("user"));

        // a move between servers within the grace: neither offline nor online again
        rig.receiver().taken(ofName("ann"), 1, WAIT);
        ann.close();
        TestClient moved = join(b, room, "ann");
        Thread.sleep(WebhooksTest.GRACE_SECONDS * 1000L + 2_500);
        moved.close();
        List<JsonObject> offline = rig.receiver().taken(ofName("ann"), 2, WAIT);
        assertEquals(List.of("online", "offline"), offline.stream().map(e -> e.getString("event")).toList());

        Thread.sleep(2_000); // anything sent twice would be here by now
        assertEquals(ids.size() + 2, rig.receiver().all(inRoom(room)).size(), "each event once (and the two refusals)");
        assertEquals(2, rig.receiver().all(ofName("ann")).size(), "one online, one offline");
        assertEquals(1, rig.receiver().all(ofName("bob")).size(), "bob is still online");
        rig.receiver().assertEachAcceptedOnce();
        rig.receiver().assertAllSigned();
    }

    @Test
    void anEventOlderThanTheRetryHoursIsDroppedCountedAndLeavesTheStream() throws Exception {
        RedisClient client = RedisClient.create(rig.redisUrl());
        try (StatefulRedisConnection<String, String> redisConnection = client.connect();
             LogLines logs = new LogLines("dev.jchat")) {
            RedisCommands<String, String> commands = redisConnection.sync();
            // as publish.lua writes it, 25 hours ago by the stream id (Redis' time when written), and not
            // listed (as when its server died before listing it): the holder's sweep finds it
            long longAgo = System.currentTimeMillis() - Duration.ofHours(25).toMillis();
            commands.xadd("chat:{rw-old}:webhooks", new XAddArgs().id(longAgo + "-0"), Map.of("f",
                    "{\"type\":\"chat\",\"id\":1,\"user\":\"old\",\"dateTime\":\"2026-01-01T00:00:00Z\",\"msg\":\"x\","
                            + "\"room\":\"rw-old\"}"));
            EmbeddedServer a = server();
            Map<String, Double> metrics = OpsClient.forChat(a.chatUri(), null)
                    .scrapeUntil(m -> OpsClient.value(m, "chat_webhook_dropped_total{reason=\"expired\"}") >= 1);
            assertEquals(1.0, OpsClient.value(metrics, "chat_webhook_dropped_total{reason=\"expired\"}"), metrics::toString);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (commands.xlen("chat:{rw-old}:webhooks") > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(0, commands.xlen("chat:{rw-old}:webhooks"), "acknowledged and deleted");
            assertTrue(rig.receiver().all(inRoom("rw-old")).isEmpty(), "dropped without a try");
            assertTrue(logs.text().contains("webhook dropped"), "a log line says so");
            assertEquals(0, commands.exists("chat:{rw-old}:webhooks"), "an empty stream goes");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void theEventsAnEarlierVersionLeftInItsOneStreamAreDeliveredAfterAnUpgrade() throws Exception {
        RedisClient client = RedisClient.create(rig.redisUrl());
        try (StatefulRedisConnection<String, String> redisConnection = client.connect()) {
            RedisCommands<String, String> commands = redisConnection.sync();
            for (int id = 1; id <= 2; id++) { // as publish.lua wrote them before each room had its own stream
                commands.xadd("chat:webhooks", Map.of("f", "{\"type\":\"chat\",\"id\":" + id + ",\"user\":\"old\","
                        + "\"dateTime\":\"2026-12-07T00:00:00Z\",\"msg\":\"x\",\"room\":\"rw-earlier\"}"));
            }
            EmbeddedServer a = server();
            TestClient ann = join(a, "rw-earlier", "ann");
            long after = say(ann, "after the upgrade");
            assertIds(rig.receiver().taken(inRoom("rw-earlier"), 3, WAIT), 1, 2, after);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (commands.exists("chat:webhooks") > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(0, commands.exists("chat:webhooks"), "emptied, it goes");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void theEventsOfAServerThatWentWhileTheReceiverWasDownAreDeliveredByAnother() throws Exception {
        String room = "rw-handover";
        rig.receiver().refuse(e -> true, Integer.MAX_VALUE); // down
        EmbeddedServer a = server();
        Thread.sleep(1_500); // a holds the delivery lease
        EmbeddedServer b = server();
        TestClient ann = join(a, room, "ann");
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(say(ann, "m" + i));
        }
        while (rig.receiver().all(inRoom(room)).isEmpty()) {
            Thread.sleep(100); // a is trying
        }
        ann.close();
        a.close(); // with what it read and never delivered
        rig.gone(a);
        rig.receiver().refuse(e -> false, 0); // up again
        TestClient bob = join(b, room, "bob");
        assertIds(rig.receiver().taken(inRoom(room), ids.size(), WAIT), ids.stream().mapToLong(Long::longValue).toArray());
        ids.add(say(bob, "after")); // what is written after b took over: read once what a left is done

        assertIds(rig.receiver().taken(inRoom(room), ids.size(), WAIT), ids.stream().mapToLong(Long::longValue).toArray());
    }

    @Test
    void withWaitForReplicasAMessageIsAnEventOnceReleasedAndARefusedOneIsNone() throws Exception {
        String room = "rw-wait";
        try (RedisServer replica = RedisServer.startReplicaOf(rig.redis())) {
            awaitReplica();
            ChatConfig config = WebhooksTest.config(rig.receiver().url()).withPort(0)
                    .withEngine(ChatConfig.Engine.inMemory().withRedis(rig.redisUrl(), "chat").withPresenceTtlSeconds(3)
                            .withRedisWaitReplicas(1));
            EmbeddedServer a = rig.started(EmbeddedServer.start(config));
            TestClient ann = join(a, room, "ann");
            ann.say("kept");
            assertEquals(1, ann.nextChat().getInt("id"));
            replica.freeze(); // connected, acknowledging nothing: the next message is refused, taken back
            ann.say("refused");
            assertEquals("unavailable", ann.skipTo("error").getString("code"));
            replica.thaw();
            awaitReplica();
            ann.say("after");
            assertEquals(3, ann.nextChat().getInt("id"));
            List<JsonObject> events = rig.receiver().taken(inRoom(room).and(e -> e.getString("event").equals("message")), 2, WAIT);
            assertEquals(List.of("kept", "after"), events.stream().map(e -> e.getString("msg")).toList(),
                    "an event for each message published, none for the one taken back");
            assertIds(events, 1, 3);
        }
    }

    private void awaitReplica() throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!String.valueOf(rig.redis().ask("INFO replication")).contains("state=online")) {
            assertTrue(System.nanoTime() < deadline, "the replica never came online");
            Thread.sleep(50);
        }
    }
}

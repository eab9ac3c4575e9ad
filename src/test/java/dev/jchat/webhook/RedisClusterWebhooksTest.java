package dev.jchat.webhook;

import static dev.jchat.webhook.Clients.say;
import static dev.jchat.webhook.Receiver.assertIds;
import static dev.jchat.webhook.Receiver.inRoom;
import static dev.jchat.webhook.Receiver.ofName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import dev.jchat.launcher.EmbeddedServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Webhooks with two chat servers on a Redis Cluster of three masters ({@code redis-cluster://}) and
 * a real receiver: the events of rooms on every master each once, in id order per room, signed;
 * one {@code online} and one {@code offline} for a name on both servers; and nothing lost when the
 * server delivering them loses its lease while the receiver fails, nor an event whose room was
 * never listed (its server died after writing it): the holder's sweep of every master finds it.
 */
class RedisClusterWebhooksTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    final RedisRig rig = new RedisRig(true);

    private EmbeddedServer server() throws Exception {
        ChatConfig config = WebhooksTest.config(rig.receiver().url()).withPort(0)
                .withEngine(ChatConfig.Engine.inMemory().withRedis(rig.redisUrl(), "chat").withPresenceTtlSeconds(3));
        return rig.started(EmbeddedServer.start(config));
    }

    /** Rooms named {@code prefix-N}, one on each master, by the slot of their keys. */
    private List<String> roomsOnEveryMaster(String prefix) throws Exception {
        Map<Integer, String> byMaster = new LinkedHashMap<>();
        for (int i = 0; byMaster.size() < 3; i++) {
            String room = prefix + "-" + i;
            byMaster.putIfAbsent(rig.cluster().owner("chat:{" + room + "}:webhooks").port(), room);
        }
        return new ArrayList<>(byMaster.values());
    }

    @Test
    void theEventsOfRoomsOnEveryMasterOnceInOrderAndOneOnlineAndOfflineForANameOnBothServers() throws Exception {
        List<String> rooms = roomsOnEveryMaster("cw-once");
        rig.receiver().refuse(inRoom(rooms.get(0)), 2); // that room's first event twice: it holds the room's rest
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        Map<String, List<Long>> ids = new LinkedHashMap<>();
        List<TestClient> anns = new ArrayList<>();
        for (int r = 0; r < rooms.size(); r++) {
            String room = rooms.get(r);
            TestClient ann = rig.clients().join((r % 2 == 0 ? a : b).chatUri(), room, "ann"); // ann on both servers
            TestClient bob = rig.clients().join((r % 2 == 0 ? b : a).chatUri(), room, "bob");
            anns.add(ann);
            List<Long> roomIds = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                roomIds.add(say(ann, "a" + i));
                roomIds.add(say(bob, "b" + i));
            }
            ids.put(room, roomIds);
        }
        for (String room : rooms) {
            assertIds(rig.receiver().taken(inRoom(room), 6, WAIT), ids.get(room).stream().mapToLong(Long::longValue).toArray());
        }

        rig.receiver().taken(ofName("ann"), 1, WAIT);
        anns.forEach(TestClient::close); // gone from both servers
        List<JsonObject> online = rig.receiver().taken(ofName("ann"), 2, WAIT);
        assertEquals(List.of("online", "offline"), online.stream().map(e -> e.getString("event")).toList());

        Thread.sleep(WebhooksTest.GRACE_SECONDS * 1000L + 2_000); // anything sent twice would be here by now
        assertEquals(6 + 2, rig.receiver().all(inRoom(rooms.get(0))).size(), "each event once (and the two refusals)");
        for (String room : rooms.subList(1, rooms.size())) {
            assertEquals(6, rig.receiver().all(inRoom(room)).size(), "each event once");
        }
        assertEquals(2, rig.receiver().all(ofName("ann")).size(), "one online, one offline");
        assertEquals(1, rig.receiver().all(ofName("bob")).size(), "bob is still online");
        rig.receiver().assertEachAcceptedOnce();
        rig.receiver().assertAllSigned();
        for (String room : rooms) { // a stream delivered is no key left behind, nor listed
            String stream = "chat:{" + room + "}:webhooks";
            assertEquals(List.of("0"), rig.cluster().owner(stream).ask("EXISTS " + stream), stream);
        }
        for (int n = 0; n < 16; n++) {
            String listed = "chat:webhooks:streams:{" + n + "}";
            assertEquals(List.of("0"), rig.cluster().owner(listed).ask("SCARD " + listed), listed);
        }
    }

    @Test
    void nothingIsLostWhenTheDeliveringServerLosesItsLeaseWhileTheReceiverFailsNorWhatWasNeverListed() throws Exception {
        List<String> rooms = roomsOnEveryMaster("cw-lease");
        List<String> unlisted = roomsOnEveryMaster("cw-unlisted");
        rig.receiver().refuse(e -> true, Integer.MAX_VALUE); // answers 500
        EmbeddedServer a = server();
        Thread.sleep(1_500); // a holds the delivery lease: it started first
        EmbeddedServer b = server();
        Map<String, List<Long>> ids = new LinkedHashMap<>();
        for (String room : rooms) {
            TestClient ann = rig.clients().join(a.chatUri(), room, "ann");
            TestClient bob = rig.clients().join(b.chatUri(), room, "bob");
            ids.put(room, new ArrayList<>(List.of(say(ann, "a0"), say(bob, "b0"), say(ann, "a1"), say(bob, "b1"))));
        }
        for (String room : unlisted) {
            // as publish.lua writes it with the entry, by a server that died before listing its room
            RedisClient client = RedisClient.create(rig.cluster().owner("chat:{" + room + "}:webhooks").url());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                connection.sync().xadd("chat:{" + room + "}:webhooks", Map.of("f", "{\"type\":\"chat\",\"id\":1,"
                        + "\"user\":\"zoe\",\"dateTime\":\"2026-12-08T00:00:00Z\",\"msg\":\"x\",\"room\":\"" + room + "\"}"));
            } finally {
                client.shutdown();
            }
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!rooms.stream().allMatch(room -> !rig.receiver().all(inRoom(room)).isEmpty())) {
            assertTrue(System.nanoTime() < deadline, "a tries every room");
            Thread.sleep(100);
        }
        // the lease taken from a, as when it stalls past the lease's 10 s: it forgets what it read and
        // did not deliver; once the lease runs out, b takes it (a is closed meanwhile)
        rig.cluster().owner("chat:webhooks:lease").ask("SET chat:webhooks:lease someone-else PX 3000");
        Thread.sleep(1_500);
        a.close();
        rig.gone(a);
        rig.receiver().refuse(e -> false, 0); // recovers
        for (String room : rooms) {
            assertIds(rig.receiver().taken(inRoom(room), 4, WAIT), ids.get(room).stream().mapToLong(Long::longValue).toArray());
        }
        for (String room : unlisted) {
            assertIds(rig.receiver().taken(inRoom(room), 1, WAIT), 1);
        }
        TestClient bob = rig.clients().join(b.chatUri(), rooms.get(0), "bob");
        ids.get(rooms.get(0)).add(say(bob, "after")); // written after b took over: delivered too
        assertIds(rig.receiver().taken(inRoom(rooms.get(0)), 5, WAIT),
                ids.get(rooms.get(0)).stream().mapToLong(Long::longValue).toArray());
    }
}

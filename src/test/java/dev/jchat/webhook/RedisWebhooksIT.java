package dev.jchat.webhook;

import static dev.jchat.webhook.Receiver.assertIds;
import static dev.jchat.webhook.Receiver.inRoom;
import static dev.jchat.webhook.Receiver.ofName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import dev.jchat.servers.ServerProcess;
import dev.jchat.servers.StandaloneServer;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Webhooks from standalone jars in processes of their own on one real redis-server: the server
 * delivering them is killed with SIGKILL while the receiver is down, and no event is lost.
 */
class RedisWebhooksIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    @RegisterExtension
    final RedisRig rig = new RedisRig(cluster());

    /** Whether on a Redis Cluster of three masters ({@link RedisClusterWebhooksIT}) rather than one redis-server. */
    boolean cluster() {
        return false;
    }

    private ServerProcess jar() throws Exception {
        return rig.started(StandaloneServer.start(Map.of("CHAT_REDIS_URL", rig.redisUrl(),
                "CHAT_PRESENCE_TTL_SECONDS", "3", "CHAT_RATE_PER_SECOND", "0", "CHAT_WEBHOOK_URL", rig.receiver().url(),
                "CHAT_WEBHOOK_SECRET", WebhooksTest.SECRET,
                "CHAT_OFFLINE_GRACE_SECONDS", Integer.toString(WebhooksTest.GRACE_SECONDS))));
    }

    @Test
    void theDeliveringServerKilledWhileTheReceiverIsDownLosesNoEvent() throws Exception {
        String room = "kill";
        rig.receiver().refuse(e -> true, Integer.MAX_VALUE); // down
        ServerProcess a = jar();
        Thread.sleep(2_000); // a holds the delivery lease: it started first
        ServerProcess b = jar();
        TestClient ann = rig.clients().join(a.chatUri(), room, "ann");
        TestClient bob = rig.clients().join(b.chatUri(), room, "bob");
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ann.say("from a " + i);
            bob.say("from b " + i);
        }
        for (int i = 0; i < 10; i++) {
            ids.add(bob.skipTo("chat").getJsonNumber("id").longValue());
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (rig.receiver().all(inRoom(room)).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100); // a read them and is trying
        }
        // its log line comes after the receiver's answer: wait for it, a bounded time
        while (!a.log().contains("webhook not delivered, retried") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(a.log().contains("webhook not delivered, retried"), "a is the one delivering");

        a.kill(); // SIGKILL: holding the lease and ten events read and not delivered
        rig.receiver().refuse(e -> false, 0); // up again

        List<JsonObject> events = rig.receiver().taken(inRoom(room), ids.size(), WAIT);
        assertIds(events, ids.stream().mapToLong(Long::longValue).toArray());
        // ann's server died: her name is swept as gone, and goes offline once after the grace
        List<JsonObject> annEvents = rig.receiver().taken(ofName("ann"), 2, WAIT);
        assertEquals(List.of("online", "offline"), annEvents.stream().map(e -> e.getString("event")).toList());
        assertEquals("online", rig.receiver().taken(ofName("bob"), 1, WAIT).get(0).getString("event"));

        Thread.sleep(3_000); // anything more would be here by now
        assertEquals(2, rig.receiver().taken(ofName("ann"), 2, WAIT).size(), "one offline");
        assertEquals(1, rig.receiver().taken(ofName("bob"), 1, WAIT).size(), "bob stays online");
        Set<String> taken = new HashSet<>();
        rig.receiver().all(inRoom(room)).stream().filter(r -> r.answered() == 200)
                .forEach(r -> assertTrue(taken.add(r.event().getString("eventId")), () -> "twice: " + r.body()));
        rig.receiver().assertAllSigned();
    }
}

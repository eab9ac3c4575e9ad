package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Redis Cluster ({@code redis-cluster://}) of three masters with a replica each (real
 * processes, {@link RedisClusterNodes}): the master of a busy room is killed with SIGKILL under
 * traffic from two chat servers (and read on a third, which only hears it through its
 * subscription), the cluster promotes its replica, and the chat follows it, every message
 * acknowledged after the failover delivered once and in one order to readers that resume; with
 * {@code CHAT_REDIS_WAIT_REPLICAS=1} (a message acknowledged once the room's master's replica holds
 * it), no acknowledged message lost at all. See docs/REDIS.md, "Redis Cluster" and "Acknowledged
 * means replicated".
 */
class RedisClusterFailoverTest {

    private static final int NODE_TIMEOUT_MS = 1_000;
    private static final Duration PACE = Duration.ofMillis(20);

    @RegisterExtension
    final RedisChats chats = new RedisChats();
    private RedisClusterNodes cluster;
    private ChatTraffic traffic;

    private EmbeddedServer server() throws Exception {
        return server(1);
    }

    private EmbeddedServer server(int waitReplicas) throws Exception {
        ChatConfig config = RedisChats.config(cluster.url(), 3);
        return chats.start(config.withEngine(config.engine().withRedisProbeSeconds(1).withRedisWaitReplicas(waitReplicas)));
    }

    /**
     * With {@code CHAT_REDIS_WAIT_REPLICAS=1} the old master is started again (the promoted replica
     * has no replica until then, and refuses every message of its rooms): no acknowledged message
     * lost. With 0 it stays dead: the servers' subscriptions must follow the room to the promoted
     * replica by themselves (Lettuce leaves them on the dead node), and what is acknowledged after
     * the failover reaches everyone.
     */
    @ParameterizedTest(name = "CHAT_REDIS_WAIT_REPLICAS={0}")
    @ValueSource(ints = {0, 1})
    void aMasterKilledUnderTrafficIsFollowed(int waitReplicas) throws Exception {
        cluster = chats.closedLast(RedisClusterNodes.start(1, NODE_TIMEOUT_MS));
        String room = "r-" + UUID.randomUUID().toString().substring(0, 8);
        RedisServer master = cluster.owner("chat:{" + room + "}");
        await(() -> RedisClusterNodes.masterWith(master, 1), 20, "the room's master has its replica online");
        RedisServer replica = cluster.replicaOf(master);
        assertNotNull(replica, "the room's master names its replica");

        EmbeddedServer a = server(waitReplicas);
        EmbeddedServer b = server(waitReplicas);
        EmbeddedServer c = server(waitReplicas); // readers only: what it delivers came through its subscription
        traffic = chats.closedFirst(new ChatTraffic(room));
        List<ChatTraffic.Reader> readers = List.of(traffic.reader(a.chatUri(), "reader-a"),
                traffic.reader(b.chatUri(), "reader-b"), traffic.reader(c.chatUri(), "reader-c"));
        List<ChatTraffic.Writer> writers = List.of(traffic.writer(a.chatUri(), "writer-a", PACE),
                traffic.writer(b.chatUri(), "writer-b", PACE));
        ChatTraffic.awaitAcknowledged(writers, Long.MIN_VALUE, 20); // acknowledged: the room's master's replica has them
        assertTrue(Long.parseLong(replica.ask("DBSIZE").get(0)) > 0, "the replica holds the room's keys");

        long kill = System.nanoTime();
        master.kill();
        await(() -> RedisClusterNodes.masterWith(replica, 0), 30, "the cluster promotes the replica");
        long failedOver = System.nanoTime();
        if (waitReplicas > 0) {
            master.startAgain(); // as a supervisor would: it comes back as the new master's replica
            await(() -> RedisClusterNodes.masterWith(replica, 1), 60, "the old master replicates the new one");
        }
        ChatTraffic.awaitAcknowledged(writers, failedOver, 30); // both servers publish, wait and hear again
        traffic.stopWriting();
        ChatTraffic.awaitDelivered(readers, writers);
        traffic.close();

        RedisSentinelTest.Failover figures = RedisSentinelTest.Failover.of(kill, failedOver, readers, writers);
        System.out.println("cluster failover, CHAT_REDIS_WAIT_REPLICAS=" + waitReplicas + ": " + figures);
        for (ChatTraffic.Reader reader : readers) {
            assertEquals(List.of(), reader.disorders, reader.user + " got every message once, in id order");
        }
        assertEquals(List.of(), figures.disagreements(), "one order: each message has one id for everyone");
        assertEquals(List.of(), figures.lostAfterFailover(), "what was acknowledged after the failover reached everyone");
        if (waitReplicas > 0) {
            assertEquals(List.of(), figures.lost(), "no acknowledged message lost");
        }
        assertTrue(figures.acknowledged() > 0 && figures.sent() >= figures.acknowledged() + figures.refused());
    }

    /**
     * WAIT goes to the room's own master, on the connection that wrote the message: while that
     * master's replica hangs (SIGSTOP: connected, acknowledging nothing) a message of the room is
     * refused as {@code unavailable} and never appears, while a room on another master is
     * acknowledged meanwhile (its WAIT is on another connection, and blocks nothing of this one).
     */
    @Test
    void aMessageItsMastersReplicaDidNotGetIsRefusedWhileARoomOnAnotherMasterGoesOn() throws Exception {
        cluster = chats.closedLast(RedisClusterNodes.start(1, NODE_TIMEOUT_MS * 10)); // a frozen replica is not failed meanwhile
        String stuck = "s-" + UUID.randomUUID().toString().substring(0, 8);
        RedisServer master = cluster.owner("chat:{" + stuck + "}");
        String other;
        do {
            other = "o-" + UUID.randomUUID().toString().substring(0, 8);
        } while (cluster.owner("chat:{" + other + "}") == master);
        for (RedisServer node : List.of(master, cluster.owner("chat:{" + other + "}"))) {
            await(() -> RedisClusterNodes.masterWith(node, 1), 20, "each master has its replica online");
        }
        RedisServer replica = cluster.replicaOf(master);
        EmbeddedServer a = server();
        TestClient here = chats.clients.add(TestClient.connect(URI.create(a.chatUri() + "?room=" + stuck + "&user=writer1")));
        here.welcome();
        TestClient there = chats.clients.add(TestClient.connect(URI.create(a.chatUri() + "?room=" + other + "&user=writer2")));
        there.welcome();
        here.say("kept");
        assertEquals(1, here.nextChat().getInt("id"), "acknowledged once the replica has it");

        replica.freeze();
        try {
            here.say("refused");
            there.say("meanwhile");
            assertEquals("meanwhile", there.nextChat().getString("msg"), "the other master's room goes on");
            JsonObject error = here.skipTo("error");
            assertEquals("unavailable", error.getString("code"), "no replica took it in time: " + error);
        } finally {
            replica.thaw();
        }
        await(() -> RedisClusterNodes.masterWith(master, 1), 20, "the replica is back");
        here.say("after");
        JsonObject after = here.nextChat();
        assertEquals("after", after.getString("msg"));
        assertEquals(3, after.getInt("id"), "the refused message's id is not given again");
        TestClient late = chats.clients.add(TestClient.connect(URI.create(a.chatUri() + "?room=" + stuck + "&user=late")));
        late.welcome();
        assertEquals(List.of("kept", "after"), List.of(late.nextChat().getString("msg"), late.nextChat().getString("msg")),
                "the refused one is not in the history");
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(Check check, int seconds, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!check.holds()) {
            assertTrue(System.nanoTime() < deadline, what + " within " + seconds + " s");
            Thread.sleep(50);
        }
    }
}

package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.OpsClient;
import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import dev.jchat.launcher.EmbeddedServer;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two chat servers on a Redis Cluster of three masters, writers on one and readers on the other,
 * and the room's hash slot moved to another master while they chat ({@link RedisClusterNodes#moveSlot}).
 * For a second the new owner takes the room's scripts, which publish there, while the servers still
 * listen on the old owner; then the old owner gives the slot up and drops the servers' subscriptions
 * to the room's sharded channel. Each server subscribes again on the new owner and catches up from
 * the room's stream, so that the readers, never reconnecting, get every acknowledged message once
 * and in order, and what is sent after the move live. The same when the old owner gives the slot up
 * a second before the new one takes it (the two send each other's clients to each other meanwhile:
 * the messages are refused, the subscriptions fail and are tried again a second later). See
 * docs/REDIS.md, "When a slot moves".
 */
class RedisSlotMoveTest {

    private static final Duration PACE = Duration.ofMillis(20);

    @RegisterExtension
    final RedisChats chats = new RedisChats();
    private RedisClusterNodes cluster;
    private ChatTraffic traffic;

    private EmbeddedServer server(int probeSeconds) throws Exception {
        ChatConfig config = RedisChats.config(cluster.url(), 3);
        return chats.start(config.withEngine(config.engine().withRedisProbeSeconds(probeSeconds)));
    }

    @ParameterizedTest(name = "old owner first: {0}")
    @ValueSource(booleans = {false, true})
    void theChatFollowsItsRoomsSlotToAnotherMasterWithoutLossOrReconnect(boolean oldOwnerFirst) throws Exception {
        cluster = chats.closedLast(RedisClusterNodes.start());
        EmbeddedServer a = server(1);
        EmbeddedServer b = server(1);
        String room = "r-" + UUID.randomUUID().toString().substring(0, 8);
        String log = "chat:{" + room + "}:log";
        traffic = chats.closedFirst(new ChatTraffic(room));
        List<ChatTraffic.Reader> readers = List.of(traffic.reader(b.chatUri(), "reader-1"), traffic.reader(b.chatUri(), "reader-2"));
        List<ChatTraffic.Writer> writers = List.of(traffic.writer(a.chatUri(), "writer-1", PACE), traffic.writer(a.chatUri(), "writer-2", PACE));
        ChatTraffic.awaitAcknowledged(writers, Long.MIN_VALUE, 20);

        RedisServer source = cluster.owner(log);
        RedisServer target = cluster.nodes().stream().filter(n -> n != source).findFirst().orElseThrow();
        long moveStart = System.nanoTime();
        cluster.moveSlot(log, target, Duration.ofSeconds(1), oldOwnerFirst);
        long moved = System.nanoTime();
        assertSame(target, cluster.owner(log), "the slot is the target's");
        assertTrue(target.ask("KEYS chat:{" + room + "}:*").contains(log), "the room's keys are on the new owner");
        assertEquals(List.of(), source.ask("KEYS chat:{" + room + "}:*"), "and no longer on the old one");

        ChatTraffic.awaitAcknowledged(writers, moved, 20); // published on the new owner
        awaitReceived(readers, writers, moved, 20);          // and heard from it, live
        traffic.stopWriting();
        ChatTraffic.awaitDelivered(readers, writers);
        traffic.close();

        // the same counts as a failover's: lost, and ids two readers disagree on
        RedisSentinelTest.Failover figures = RedisSentinelTest.Failover.of(moveStart, moved, readers, writers);
        long duringMove = writers.stream().mapToLong(w -> w.acknowledged.keySet().stream()
                .filter(t -> w.sentAt.get(t) > moveStart && w.sentAt.get(t) < moved).count()).sum();
        System.out.printf("slot move under traffic, old owner first " + oldOwnerFirst + ": sent %d, acknowledged %d (%d sent during the move), refused %d,"
                        + " unknown %d, lost %d, the move took %.2f s%n", figures.sent(), figures.acknowledged(),
                duringMove, figures.refused(), figures.unknown(), figures.lost().size(), (moved - moveStart) / 1e9);
        for (ChatTraffic.Reader reader : readers) {
            assertEquals(List.of(), reader.disorders, reader.user + " got every message once, in id order");
            assertEquals(1, reader.welcomes.get(), reader.user + " never had to connect again");
        }
        assertEquals(List.of(), figures.lost(), "every acknowledged message reached every reader");
        if (!oldOwnerFirst) {
            assertTrue(duringMove > 0, "some were published on the new owner while the servers listened on the old"
                    + " one (the readers got those from the room's stream, once subscribed again)");
        } // else no node takes the room's scripts meanwhile: its messages are refused, its subscriptions retried

        assertEquals(List.of(), figures.disagreements(), "one order: each message has one id for everyone");
        for (EmbeddedServer server : List.of(a, b)) {
            awaitReady(server);
        }
    }

    /**
     * The channels every server listens to besides the rooms' follow their slots too: the notices
     * (direct messages' notices to a name on another server) and each server's probe channel. They
     * are subscribed again on the new node at once, not after the probe found the subscription
     * stalled (which takes more than a probe period, 5 s here, and would say not ready meanwhile);
     * when the old owner gave the slot up a second before the new one took it, within a second of that.
     */
    @ParameterizedTest(name = "old owner first: {0}")
    @ValueSource(booleans = {false, true})
    void theNoticesAndTheProbesFollowTheirSlots(boolean oldOwnerFirst) throws Exception {
        cluster = chats.closedLast(RedisClusterNodes.start());
        EmbeddedServer a = server(5);
        EmbeddedServer b = server(5);
        RoomClients clients = chats.clients;
        TestClient annOnA = clients.connect(a.chatUri(), "&user=ann");
        annOnA.welcome();
        List<String> channels = List.of("chat:notices", ((RedisRooms) a.hub().rooms()).probeChannels().get(0),
                ((RedisRooms) b.hub().rooms()).probeChannels().get(0));
        for (String channel : channels) {
            RedisServer source = cluster.owner(channel);
            cluster.moveSlot(channel, cluster.nodes().stream().filter(n -> n != source).findFirst().orElseThrow(),
                    oldOwnerFirst ? Duration.ofSeconds(1) : Duration.ZERO, oldOwnerFirst);
        }
        long moved = System.nanoTime();
        for (String channel : channels) {
            RedisServer owner = cluster.owner(channel);
            int subscribers = channel.endsWith(":notices") ? 2 : 1;
            long deadline = moved + TimeUnit.SECONDS.toNanos(3);
            while (Integer.parseInt(owner.ask("PUBSUB SHARDNUMSUB " + channel).get(1)) < subscribers) {
                assertTrue(System.nanoTime() < deadline, channel + " subscribed again on its new node");
                Thread.sleep(20);
            }
        }
        TestClient bobOnB = clients.add(TestClient.connect(URI.create(b.chatUri() + "?user=bob&room="
                + URLEncoder.encode("@ann", StandardCharsets.UTF_8))));
        bobOnB.welcome();
        bobOnB.say("across");
        assertEquals("across", annOnA.next("notice").getString("msg"), "noticed on the other server");
        for (EmbeddedServer server : List.of(a, b)) {
            awaitReady(server);
            awaitProbedOnEveryMaster((RedisRooms) server.hub().rooms());
        }
    }

    /**
     * Waits, 15 s at most (three probe periods; fails after), until the server probes a channel on
     * every master, each subscribed there: a master that lost its probe channel's slot gets another.
     */
    private void awaitProbedOnEveryMaster(RedisRooms rooms) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            Set<RedisServer> probed = new HashSet<>();
            for (String channel : rooms.probeChannels()) {
                RedisServer owner = cluster.owner(channel);
                if (Integer.parseInt(owner.ask("PUBSUB SHARDNUMSUB " + channel).get(1)) == 1) {
                    probed.add(owner);
                }
            }
            if (probed.size() == cluster.nodes().size()) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "a probe channel subscribed on every master: " + probed.size());
            Thread.sleep(50);
        }
    }

    /**
     * Waits, 20 s at most (fails after), until every reader got {@code count} of each writer's
     * messages sent after {@code since}: the readers never reconnect, so these came live.
     */
    private static void awaitReceived(List<ChatTraffic.Reader> readers, List<ChatTraffic.Writer> writers, long since,
                                      int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!readers.stream().allMatch(r -> writers.stream().allMatch(w -> w.sent.stream()
                .filter(t -> w.sentAt.get(t) > since && r.gotAt.containsKey(t)).count() >= count))) {
            assertTrue(System.nanoTime() < deadline, "the readers hear what is sent after the move, without reconnecting");
            Thread.sleep(50);
        }
    }

    /** Waits, 10 s at most (fails after), until the server's {@code /health/ready} says 200. */
    private static void awaitReady(EmbeddedServer server) throws InterruptedException {
        OpsClient ops = OpsClient.forChat(server.chatUri(), null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int status;
        while ((status = ops.get("health/ready", null).statusCode()) != 200) {
            assertTrue(System.nanoTime() < deadline, "ready again: " + status);
            Thread.sleep(50);
        }
    }
}

package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two chat servers on {@code redis-sentinel://} (a master, a replica, three sentinels: real
 * processes, {@link RedisSentinels}), chat going on from both, and the master killed with SIGKILL.
 * The sentinels promote the replica; both servers follow, resubscribe and catch up, and the
 * clients chat again, in one order. See docs/REDIS.md, "Sentinel".
 */
class RedisSentinelTest {

    private static final int DOWN_AFTER_MS = 1_000;
    private static final Duration PACE = Duration.ofMillis(20);

    @RegisterExtension
    final RedisChats chats = new RedisChats();
    private RedisSentinels redis;
    private ChatTraffic traffic;

    private EmbeddedServer server(String url, int waitReplicas) throws Exception {
        ChatConfig config = RedisChats.config(url, 3);
        return chats.start(config.withEngine(config.engine().withRedisProbeSeconds(1).withRedisWaitReplicas(waitReplicas)));
    }

    /**
     * With {@code CHAT_REDIS_WAIT_REPLICAS=1} no acknowledged message may be lost; with 0, what the
     * replica had not received when the master died can be (on one machine the replica is rarely
     * behind: the figures say what was).
     */
    @ParameterizedTest(name = "CHAT_REDIS_WAIT_REPLICAS={0}")
    @ValueSource(ints = {0, 1})
    void theServersFollowAFailoverAndTheChatGoesOnInOneOrder(int waitReplicas) throws Exception {
        redis = chats.closedLast(RedisSentinels.start(DOWN_AFTER_MS));
        EmbeddedServer a = server(redis.url(), waitReplicas);
        EmbeddedServer b = server(redis.url(), waitReplicas);
        traffic = chats.closedFirst(new ChatTraffic("r-" + UUID.randomUUID().toString().substring(0, 8)));
        List<ChatTraffic.Reader> readers = List.of(traffic.reader(a.chatUri(), "reader-a"), traffic.reader(b.chatUri(), "reader-b"));
        List<ChatTraffic.Writer> writers = List.of(traffic.writer(a.chatUri(), "writer-a", PACE), traffic.writer(b.chatUri(), "writer-b", PACE));
        ChatTraffic.awaitAcknowledged(writers, Long.MIN_VALUE, 20);

        RedisServer master = redis.master();
        RedisServer next = redis.other(master);
        long kill = System.nanoTime();
        master.kill();
        redis.awaitMaster(next);
        long failedOver = System.nanoTime();
        master.startAgain(); // as a supervisor would
        // and told whose replica it is now, as the sentinels would tell it too: they do so only once
        // they have watched it report itself a master for a while, which under a full run's load
        // sometimes took longer than the minute below (it is the chat's following that is tested)
        assertEquals("+OK", master.command("REPLICAOF 127.0.0.1 " + next.port()));
        redis.awaitReplicated(next);
        ChatTraffic.awaitAcknowledged(writers, failedOver, 30); // both servers publish and hear again
        traffic.stopWriting();
        ChatTraffic.awaitDelivered(readers, writers);
        traffic.close();

        Failover figures = Failover.of(kill, failedOver, readers, writers);
        System.out.println("sentinel failover, CHAT_REDIS_WAIT_REPLICAS=" + waitReplicas + ": " + figures);
        for (ChatTraffic.Reader reader : readers) {
            assertEquals(List.of(), reader.disorders, reader.user + " got every message once, in id order");
        }
        assertEquals(List.of(), figures.disagreements, "one order: each message has one id for everyone");
        assertTrue(figures.lostAfterFailover.isEmpty(), "what was acknowledged after the failover reached everyone: "
                + figures.lostAfterFailover);
        if (waitReplicas > 0) {
            assertEquals(List.of(), figures.lost, "no acknowledged message lost");
        }
    }

    /**
     * With {@code CHAT_REDIS_WAIT_REPLICAS=0}, the replica falls behind (its replication stalled)
     * while messages 4 to 6 are delivered, and the master dies: the promoted replica holds 3. The
     * server that delivered 6 finds Redis behind it and the room goes on in a new epoch: its members
     * are closed with 1012 and resume with {@code recovered: false}, never across a hole as if
     * nothing happened, and the room goes on from the id the new master holds.
     */
    @Test
    void aFailoverThatLosesWhatAServerDeliveredStartsANewEpoch() throws Exception {
        redis = chats.closedLast(RedisSentinels.start(DOWN_AFTER_MS));
        EmbeddedServer a = server(redis.url(), 0);
        RoomClients clients = chats.clients;
        TestClient reader = clients.connect(a.chatUri(), "&user=reader");
        String epoch = reader.welcome().getString("epoch");
        TestClient writer = clients.join(a.chatUri(), "writer");
        RedisServer master = redis.master();
        RedisServer replica = redis.other(master);
        for (int id = 1; id <= 6; id++) {
            if (id == 4) {
                // the replica has 1 to 3 and no more: it hangs (for less than the sentinels' down-after,
                // so that it stays a replica they can promote) while its link is cut
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!List.of("3").equals(replica.ask("HGET chat:{" + clients.room + "}:meta seq"))) {
                    assertTrue(System.nanoTime() < deadline, "the replica got 1 to 3");
                    Thread.sleep(10);
                }
                replica.freeze();
                master.command("CLIENT KILL TYPE replica");
            }
            writer.say("m " + id);
            JsonObject chat = reader.nextChat();
            assertEquals(id + ":m " + id, chat.getInt("id") + ":" + chat.getString("msg"));
        }
        master.kill();
        replica.thaw();
        redis.awaitMaster(replica);
        assertEquals(List.of("3"), redis.other(master).ask("HGET chat:{" + clients.room + "}:meta seq"),
                "the promoted replica has 1 to 3 only");

        TestClient.Event closed = reader.nextEventSkippingText();
        assertTrue(closed instanceof TestClient.Closed c && c.code() == 1012, "told the room restarted: " + closed);
        TestClient back = clients.connect(a.chatUri(), "&user=reader&since=6&epoch=" + epoch);
        JsonObject welcome = back.welcome();
        assertFalse(welcome.getBoolean("recovered"), "ids 4 to 6 are gone: " + welcome);
        assertNotEquals(epoch, welcome.getString("epoch"));
        assertEquals(3, welcome.getInt("lastId"), "the new master's sequence");
    }

    /**
     * What a failover did to the chat: counts, acknowledged messages a reader never got (before and
     * after the failover), messages two readers or a writer saw under two ids, and the seconds from
     * the kill to the new master and to the first message sent after the kill reaching a reader.
     */
    record Failover(long sent, long acknowledged, long refused, long unknown, List<String> lost,
                    List<String> lostAfterFailover, List<String> disagreements, double secondsToFailover,
                    double secondsToDelivery) {

        static Failover of(long kill, long failedOver, List<ChatTraffic.Reader> readers, List<ChatTraffic.Writer> writers) {
            List<String> lost = new ArrayList<>();
            List<String> lostAfter = new ArrayList<>();
            List<String> disagreements = new ArrayList<>();
            long firstDelivery = Long.MAX_VALUE;
            for (ChatTraffic.Reader reader : readers) {
                Map<String, String> got = reader.byText();
                for (ChatTraffic.Writer writer : writers) {
                    for (Map.Entry<String, String> ack : writer.acknowledged.entrySet()) {
                        String id = got.get(ack.getKey());
                        if (id == null) {
                            (writer.sentAt.get(ack.getKey()) > failedOver ? lostAfter : lost).add(reader.user + ": " + ack.getKey());
                        } else if (!id.endsWith("/" + ack.getValue())) {
                            disagreements.add(ack.getKey() + ": acknowledged as " + ack.getValue() + ", " + reader.user
                                    + " got it as " + id);
                        }
                    }
                    for (String text : writer.sent) {
                        Long at = reader.gotAt.get(text);
                        if (writer.sentAt.get(text) > kill && at != null) {
                            firstDelivery = Math.min(firstDelivery, at);
                        }
                    }
                }
            }
            Map<String, String> first = readers.get(0).byText();
            for (ChatTraffic.Reader reader : readers.subList(1, readers.size())) {
                reader.byText().forEach((text, id) -> {
                    if (first.containsKey(text) && !first.get(text).equals(id)) {
                        disagreements.add(text + ": " + readers.get(0).user + " got " + first.get(text) + ", "
                                + reader.user + " got " + id);
                    }
                });
            }
            long sent = 0;
            long acknowledged = 0;
            long refused = 0;
            long unknown = 0;
            for (ChatTraffic.Writer writer : writers) {
                sent += writer.outcomes.size();
                acknowledged += writer.count(ChatTraffic.Outcome.ACKNOWLEDGED);
                refused += writer.count(ChatTraffic.Outcome.REFUSED);
                unknown += writer.count(ChatTraffic.Outcome.UNKNOWN);
            }
            lost.addAll(lostAfter);
            return new Failover(sent, acknowledged, refused, unknown, lost, lostAfter, disagreements,
                    (failedOver - kill) / 1e9, firstDelivery == Long.MAX_VALUE ? -1 : (firstDelivery - kill) / 1e9);
        }

        @Override
        public String toString() {
            return String.format("sent %d, acknowledged %d, refused %d, unknown %d, acknowledged and lost %d %s,"
                            + " ids that disagree %d; new master %.1f s after the kill, delivery again %.1f s after it",
                    sent, acknowledged, refused, unknown, lost.size(), lost.size() > 5 ? lost.subList(0, 5) + "..." : lost,
                    disagreements.size(), secondsToFailover, secondsToDelivery);
        }
    }
}

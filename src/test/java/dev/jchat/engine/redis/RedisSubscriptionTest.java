package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.OpsClient;
import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two chat servers on one real redis-server, a reader on the first and a writer on the second, and
 * the first server's subscription connection stops delivering while the writer chats: killed by
 * Redis ({@code CLIENT KILL ID} of exactly that connection), or left open by a proxy that stops
 * forwarding what Redis sends it (nothing tells Lettuce). Either way the server finds it within a
 * bounded time, reconnects, and the reader gets every message sent meanwhile exactly once, in
 * order; for the silent cut, {@code /health/ready} says not ready until the server delivers again.
 */
class RedisSubscriptionTest {

    /** The servers' probe period; a stall is found within three, healed within a fourth or so. */
    private static final int PROBE_SECONDS = 1;
    private static final long BOUND_MS = 10_000;

    private RedisServer redis;
    private final RedisChats chats = new RedisChats();
    private final RoomClients clients = chats.clients;

    @AfterEach
    void stopAll() throws Exception {
        chats.close();
        if (redis != null) {
            redis.close();
        }
    }

    private EmbeddedServer server(String redisUrl) throws Exception {
        ChatConfig config = RedisChats.config(redisUrl, 3);
        return chats.start(config.withEngine(config.engine().withRedisProbeSeconds(PROBE_SECONDS)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"killed by Redis", "silently stalled"})
    void aSubscriptionThatStopsDeliveringIsFoundAndHealedAndNothingIsMissed(String how) throws Exception {
        redis = RedisServer.start();
        try (CuttingProxy proxy = new CuttingProxy(redis.port())) {
            EmbeddedServer a = server(proxy.url());
            EmbeddedServer b = server(redis.url());
            readThroughACut(a, b, clients.room, how, () -> {
                if (how.contains("killed")) {
                    String id = redis.clientId(((RedisRooms) a.hub().rooms()).subscriberName());
                    assertNotNull(id, "server A's subscription connection is in CLIENT LIST by its name");
                    assertEquals(":1", redis.command("CLIENT KILL ID " + id));
                } else {
                    proxy.stallSubscribers();
                }
            });
        }
    }

    /**
     * In a Redis Cluster a server's subscription is one connection a node: the one to the node of a
     * busy room stops delivering, the others go on. Killed by that node (Lettuce reconnects it, and
     * subscribes its channels again in one {@code SSUBSCRIBE}, which Redis refuses when they span two
     * slots), or silently stalled: every node is reached through a proxy (the nodes announce the
     * proxies' ports, so the servers connect through them), and the room is one whose node holds no
     * channel the server probed before it probed every master. Found all the same.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"killed by its node", "silently stalled"})
    void aClusterNodesSubscriptionThatStopsDeliveringIsFoundAndHealed(String how) throws Exception {
        try (RedisClusterNodes cluster = RedisClusterNodes.start(); Proxies proxies = new Proxies(cluster)) {
            EmbeddedServer a = server(proxies.url());
            EmbeddedServer b = server(proxies.url());
            String subscriber = ((RedisRooms) a.hub().rooms()).subscriberName();
            RedisServer probed = cluster.owner(subscriber); // the one channel probed before every master was
            String room = clients.room;
            for (int i = 0; cluster.owner("chat:{" + room + "}") == probed; i++) {
                room = clients.room + "-" + i;
            }
            RedisServer node = cluster.owner("chat:{" + room + "}");
            readThroughACut(a, b, room, how + " on one node of a cluster", () -> {
                if (how.contains("killed")) {
                    String id = subscriptionId(node, subscriber);
                    assertNotNull(id, "server A's subscription connection on the room's node, by its name");
                    assertEquals(":1", node.command("CLIENT KILL ID " + id));
                } else {
                    proxies.of(node).stallSubscribersNamed(subscriber);
                }
            });
        }
    }

    /** The id of the subscription connection named {@code name} on {@code node} (flag P), or null. */
    private static String subscriptionId(RedisServer node, String name) throws IOException {
        for (String line : node.ask("CLIENT LIST").get(0).split("\n")) {
            String fields = " " + line.strip() + " ";
            if (fields.contains(" name=" + name + " ") && fields.matches(".* flags=[A-Za-z]*P[A-Za-z]* .*")) {
                return line.replaceFirst("^id=(\\d+) .*", "$1").strip();
            }
        }
        return null;
    }

    /** What a cut is: done once the room's traffic flows. */
    private interface Cut {
        void run() throws Exception;
    }

    /**
     * A reader on {@code a} and a writer on {@code b} in {@code room}; five messages, then
     * {@code cut} while 40 more are sent: the reader gets each once and in order, and for a silent
     * cut {@code a} said not ready within the bound and ready again, and counted the stall.
     */
    private void readThroughACut(EmbeddedServer a, EmbeddedServer b, String room, String how, Cut cut) throws Exception {
        TestClient reader = join(a, room, "reader");
        TestClient writer = join(b, room, "writer");
        for (int id = 1; id <= 5; id++) {
            writer.say("m " + id);
            assertEquals(id, writer.nextChat().getInt("id"));
            assertEquals("m " + id, reader.nextChat().getString("msg"));
        }
        Readiness readiness = new Readiness(OpsClient.forChat(a.chatUri(), null));
        cut.run();
        long cutAt = System.nanoTime();
        int last = 45;
        CompletableFuture<List<String>> read = CompletableFuture.supplyAsync(() -> {
            List<String> chats = new ArrayList<>();
            while (chats.size() < last - 5) {
                JsonObject chat = reader.nextChat();
                chats.add(chat.getInt("id") + ":" + chat.getString("msg"));
            }
            return chats;
        });
        List<String> sent = new ArrayList<>();
        for (int id = 6; id <= last; id++) { // the writer's server is untouched: every echo comes
            writer.say("m " + id);
            assertEquals(id, writer.nextChat().getInt("id"));
            sent.add(id + ":m " + id);
            Thread.sleep(50);
        }
        long sentAll = System.nanoTime();
        assertEquals(sent, read.get(BOUND_MS, TimeUnit.MILLISECONDS),
                "every message sent during the cut, once, in order");
        long healed = System.nanoTime();
        writer.say("end");
        assertEquals("end", reader.nextChat().getString("msg"), "no message twice before the next one");
        readiness.stopOnceReady(BOUND_MS);
        System.out.printf("subscription %s: every message of the cut read %d ms after it, %d ms after the last"
                + " was sent; not ready from %s to %s ms after it%n", how, TimeUnit.NANOSECONDS.toMillis(healed - cutAt),
                TimeUnit.NANOSECONDS.toMillis(healed - sentAll), readiness.firstNotReady, readiness.readyAgain);
        if (how.contains("stalled")) {
            assertNotNull(readiness.firstNotReady, "not ready while it could not deliver: " + readiness.seen);
            assertTrue(readiness.firstNotReady < BOUND_MS, "found within the bound");
            assertNotNull(readiness.readyAgain, "ready again once it delivers: " + readiness.seen);
            double stalls = OpsClient.value(OpsClient.forChat(a.chatUri(), null).scrape(),
                    "chat_redis_subscription_stalls_total");
            assertTrue(stalls >= 1, "counted: " + stalls);
            join(a, room, "late"); // and it takes joins again
        }
    }

    private TestClient join(EmbeddedServer server, String room, String user) {
        TestClient client = clients.add(TestClient.connect(URI.create(server.chatUri() + "?room=" + room + "&user=" + user)));
        client.welcome();
        return client;
    }

    /** A {@link CuttingProxy} in front of each node, whose port the node announces to the cluster and its clients. */
    private static final class Proxies implements AutoCloseable {
        private final Map<RedisServer, CuttingProxy> proxies = new LinkedHashMap<>();

        Proxies(RedisClusterNodes cluster) throws Exception {
            for (RedisServer node : cluster.nodes()) {
                CuttingProxy proxy = new CuttingProxy(node.port());
                proxies.put(node, proxy);
                assertEquals("+OK", node.command("CONFIG SET cluster-announce-port " + proxy.port()));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (RedisServer node : cluster.nodes()) { // the gossip takes a moment to carry the new ports
                while (!proxies.values().stream().allMatch(p -> announces(node, p.port()))) {
                    assertTrue(System.nanoTime() < deadline, "the nodes never announced the proxies' ports");
                    Thread.sleep(50);
                }
            }
        }

        private static boolean announces(RedisServer node, int port) {
            try {
                return String.join("\n", node.ask("CLUSTER NODES")).contains("127.0.0.1:" + port + "@");
            } catch (IOException e) {
                return false;
            }
        }

        CuttingProxy of(RedisServer node) {
            return proxies.get(node);
        }

        String url() {
            return "redis-cluster://" + proxies.values().stream().map(p -> "127.0.0.1:" + p.port())
                    .collect(Collectors.joining(","));
        }

        @Override
        public void close() throws IOException {
            for (CuttingProxy proxy : proxies.values()) {
                proxy.close();
            }
        }
    }

    /** Polls a server's {@code /health/ready} every 50 ms from the start: when it first said 503, and 200 after that. */
    private static final class Readiness {
        private final long start = System.nanoTime();
        private final Thread poller;
        final List<String> seen = new ArrayList<>();
        volatile Long firstNotReady;
        volatile Long readyAgain;
        private volatile boolean stopped;

        Readiness(OpsClient ops) {
            poller = new Thread(() -> {
                int previous = 0;
                while (!stopped) {
                    int status = ops.get("health/ready", null).statusCode();
                    long at = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    if (status != previous) {
                        synchronized (seen) {
                            seen.add(at + " ms: " + status);
                        }
                        previous = status;
                    }
                    if (status == 503 && firstNotReady == null) {
                        firstNotReady = at;
                    } else if (status == 200 && firstNotReady != null && readyAgain == null) {
                        readyAgain = at;
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "ready-poller");
            poller.setDaemon(true);
            poller.start();
        }

        /** Stops polling once the server said ready after not ready, or had never said not ready, or after {@code ms}. */
        void stopOnceReady(long ms) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
            while (firstNotReady != null && readyAgain == null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            stopped = true;
            poller.join(5_000);
        }
    }
}

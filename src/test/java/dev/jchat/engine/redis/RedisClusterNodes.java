package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Redis Cluster of three masters (and their replicas, if asked), every one a {@link RedisServer} on free ports, made with
 * {@code redis-cli --cluster create} as an operator makes one: what
 * {@code CHAT_REDIS_URL=redis-cluster://...} is tested on. Started once every node says the
 * cluster is ok. Not thread-safe: one test's fixture.
 */
public final class RedisClusterNodes implements AutoCloseable {

    private static final Duration READY = Duration.ofSeconds(20);

    private final List<RedisServer> nodes = new ArrayList<>();

    /** Starts three nodes and makes them one cluster, the slots split evenly. */
    public static RedisClusterNodes start() throws IOException, InterruptedException {
        return start(0, 2_000);
    }

    /**
     * Three masters with {@code replicas} replicas each, the slots split evenly; a node is taken for
     * failed after {@code nodeTimeoutMillis}, and its replica promoted.
     */
    static RedisClusterNodes start(int replicas, int nodeTimeoutMillis) throws IOException, InterruptedException {
        RedisClusterNodes cluster = new RedisClusterNodes();
        try {
            for (int i = 0; i < 3 * (1 + replicas); i++) {
                cluster.nodes.add(RedisServer.startClusterNode(nodeTimeoutMillis));
            }
            List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            cluster.nodes.forEach(node -> command.add("127.0.0.1:" + node.port()));
            command.addAll(List.of("--cluster-replicas", Integer.toString(replicas), "--cluster-yes"));
            Process create = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(create.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!create.waitFor(30, TimeUnit.SECONDS) || create.exitValue() != 0) {
                fail("redis-cli --cluster create failed: " + output);
            }
            long deadline = System.nanoTime() + READY.toNanos();
            while (!cluster.nodes.stream().allMatch(RedisClusterNodes::ok)) {
                if (System.nanoTime() > deadline) {
                    fail("the cluster was not ok within " + READY.toSeconds() + " s");
                }
                Thread.sleep(50);
            }
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    private static boolean ok(RedisServer node) {
        try {
            return node.ask("CLUSTER INFO").get(0).contains("cluster_state:ok");
        } catch (IOException e) {
            return false;
        }
    }

    /** The replica of {@code master} (the first its {@code ROLE} names), or null when it has none connected. */
    RedisServer replicaOf(RedisServer master) throws IOException {
        List<String> role = master.ask("ROLE");
        return role.size() > 3 && "master".equals(role.get(0)) ? byAddress(role.get(2) + ":" + role.get(3)) : null;
    }

    /** Whether {@code node} is a master with {@code replicas} replicas online (its {@code INFO replication}). */
    static boolean masterWith(RedisServer node, int replicas) {
        try {
            String info = String.valueOf(node.ask("INFO replication"));
            return info.contains("role:master") && info.split("state=online", -1).length - 1 >= replicas;
        } catch (IOException e) {
            return false;
        }
    }

    /** The node at {@code host:port[@bus]}. */
    private RedisServer byAddress(String address) {
        int port = Integer.parseInt(address.replaceFirst("@.*", "").replaceFirst(".*:", ""));
        return nodes.stream().filter(n -> n.port() == port).findFirst().orElse(null);
    }

    /** {@code redis-cluster://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3}. */
    public String url() {
        return "redis-cluster://" + nodes.stream().map(n -> "127.0.0.1:" + n.port()).collect(Collectors.joining(","));
    }

    List<RedisServer> nodes() {
        return nodes;
    }

    /** A command's whole reply from the node that holds its key (the others answer MOVED). */
    List<String> ask(String command) throws IOException {
        List<String> reply = List.of();
        for (RedisServer node : nodes) {
            reply = node.ask(command);
            if (reply.isEmpty() || reply.get(0) == null || !reply.get(0).startsWith("MOVED")) {
                return reply;
            }
        }
        return reply;
    }

    /** The master that serves {@code key}'s hash slot: the one that does not answer MOVED. */
    public RedisServer owner(String key) throws IOException {
        for (RedisServer node : nodes) {
            List<String> reply = node.ask("EXISTS " + key);
            if (reply.isEmpty() || reply.get(0) == null || !reply.get(0).startsWith("MOVED")) {
                return node;
            }
        }
        throw new IOException("no node serves " + key);
    }

    /**
     * Moves {@code key}'s hash slot, with every key in it, to {@code target}, by the steps an
     * operator (or {@code redis-cli --cluster reshard}) takes: the target IMPORTING and the owner
     * MIGRATING, the slot's keys sent over with {@code MIGRATE} ({@code CLUSTER GETKEYSINSLOT} until
     * none is left), then {@code CLUSTER SETSLOT ... NODE} on the target, the old owner and the
     * other masters. Once the old owner gives the slot up it tells the subscribers of the slot's
     * sharded channels with a {@code sunsubscribe} they did not ask for. The target owns the slot
     * for {@code handOver} before the old owner gives it up (the steps are one node at a time):
     * meanwhile the old owner redirects the scripts there ({@code ASK}), which publish there, while
     * the subscribers still listen on the old owner. With {@code oldOwnerFirst}, the other way
     * round, as an operator may do by hand: the old owner gives the slot up {@code handOver}
     * before the target takes it, and meanwhile each sends the other's clients to the other.
     */
    void moveSlot(String key, RedisServer target, Duration handOver, boolean oldOwnerFirst)
            throws IOException, InterruptedException {
        RedisServer source = owner(key);
        String slot = source.ask("CLUSTER KEYSLOT " + key).get(0);
        String sourceId = source.ask("CLUSTER MYID").get(0);
        String targetId = target.ask("CLUSTER MYID").get(0);
        ok(target, "CLUSTER SETSLOT " + slot + " IMPORTING " + sourceId);
        ok(source, "CLUSTER SETSLOT " + slot + " MIGRATING " + targetId);
        for (List<String> keys = source.ask("CLUSTER GETKEYSINSLOT " + slot + " 1000"); !keys.isEmpty();
                keys = source.ask("CLUSTER GETKEYSINSLOT " + slot + " 1000")) {
            ok(source, "MIGRATE 127.0.0.1 " + target.port() + " \"\" 0 5000 KEYS " + String.join(" ", keys));
        }
        ok(oldOwnerFirst ? source : target, "CLUSTER SETSLOT " + slot + " NODE " + targetId);
        Thread.sleep(handOver.toMillis());
        ok(oldOwnerFirst ? target : source, "CLUSTER SETSLOT " + slot + " NODE " + targetId);
        for (RedisServer node : nodes) {
            if (node != source && node != target) {
                ok(node, "CLUSTER SETSLOT " + slot + " NODE " + targetId);
            }
        }
    }

    private static void ok(RedisServer node, String command) throws IOException {
        List<String> reply = node.ask(command);
        if (!List.of("OK").equals(reply)) {
            fail(command + " on " + node.port() + ": " + reply);
        }
    }

    @Override
    public void close() {
        for (RedisServer node : nodes) {
            try {
                node.close();
            } catch (IOException | InterruptedException e) {
                System.getLogger(RedisClusterNodes.class.getName()).log(System.Logger.Level.WARNING,
                        "a cluster node did not close: " + e);
            }
        }
    }
}

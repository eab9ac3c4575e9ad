package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A master, a replica and three sentinels watching them as {@link #MASTER} (quorum 2), every one a
 * {@link RedisServer} on a free port: what {@code CHAT_REDIS_URL=redis-sentinel://...} is tested
 * on. Started once the replica is in sync and the sentinels know each other and the replica, so
 * that a failover can happen at once. Not thread-safe: one test's fixture.
 */
final class RedisSentinels implements AutoCloseable {

    /** The master's name, as the sentinels know it. */
    static final String MASTER = "chat";
    private static final Duration READY = Duration.ofSeconds(20);

    private final List<RedisServer> data = new ArrayList<>(); // the master first, then the replica
    private final List<RedisServer> sentinels = new ArrayList<>();

    /** Starts them all; a master silent for {@code downAfterMillis} is taken for down. */
    static RedisSentinels start(int downAfterMillis) throws IOException, InterruptedException {
        RedisSentinels all = new RedisSentinels();
        try {
            RedisServer master = RedisServer.start();
            all.data.add(master);
            all.data.add(RedisServer.startReplicaOf(master));
            for (int i = 0; i < 3; i++) {
                all.sentinels.add(RedisServer.startSentinel(master, MASTER, 2, downAfterMillis));
            }
            all.await("the sentinels to know each other and the replica", () -> all.sentinels.stream().allMatch(s -> {
                Map<String, String> seen = sentinelMaster(s);
                return "2".equals(seen.get("num-other-sentinels")) && "1".equals(seen.get("num-slaves"));
            }));
            return all;
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            all.close();
            throw e;
        }
    }

    /** {@code redis-sentinel://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3#chat}. */
    String url() {
        return "redis-sentinel://" + sentinels.stream().map(s -> "127.0.0.1:" + s.port()).collect(Collectors.joining(","))
                + "#" + MASTER;
    }

    /** The master as the first sentinel names it now. */
    RedisServer master() throws IOException {
        List<String> address = sentinels.get(0).ask("SENTINEL GET-MASTER-ADDR-BY-NAME " + MASTER);
        int port = Integer.parseInt(address.get(1));
        return data.stream().filter(s -> s.port() == port).findFirst().orElseThrow();
    }

    /** The data server that is not {@code server}: the replica of a master, the old master of a promoted replica. */
    RedisServer other(RedisServer server) {
        return data.get(0) == server ? data.get(1) : data.get(0);
    }

    /** Waits until every sentinel names {@code next} the master, and it says it is one. */
    void awaitMaster(RedisServer next) throws InterruptedException {
        await("the failover to port " + next.port(), () -> {
            try {
                for (RedisServer sentinel : sentinels) {
                    if (!sentinel.ask("SENTINEL GET-MASTER-ADDR-BY-NAME " + MASTER).contains(Integer.toString(next.port()))) {
                        return false;
                    }
                }
                return "master".equals(next.ask("ROLE").get(0));
            } catch (IOException e) {
                return false;
            }
        });
    }

    /**
     * Waits until {@code master} has a replica online (the old master, back and turned into one):
     * up to a minute, since the sentinels turn it only once they see it again and it then syncs
     * in full (on a loaded machine, past {@link #READY}).
     */
    void awaitReplicated(RedisServer master) throws InterruptedException {
        await("a replica of port " + master.port(), Duration.ofSeconds(60), () -> {
            try {
                return String.valueOf(master.ask("INFO replication")).contains("state=online");
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static Map<String, String> sentinelMaster(RedisServer sentinel) {
        try {
            return sentinel.sentinelMaster(MASTER);
        } catch (IOException e) {
            return Map.of();
        }
    }

    private interface Condition {
        boolean holds() throws InterruptedException;
    }

    private void await(String what, Condition condition) throws InterruptedException {
        await(what, READY, condition);
    }

    private void await(String what, Duration bound, Condition condition) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                fail("waited " + bound.toSeconds() + " s for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        List<RedisServer> all = new ArrayList<>(sentinels);
        all.addAll(data);
        for (RedisServer server : all) {
            try {
                server.close();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("a Redis process of the test did not stop", e);
            }
        }
    }
}

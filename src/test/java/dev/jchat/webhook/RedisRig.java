package dev.jchat.webhook;

import dev.jchat.engine.redis.RedisClusterNodes;
import dev.jchat.engine.redis.RedisServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a webhook test on Redis runs on, as a JUnit extension of each test: a redis-server of its
 * own, or a cluster of three masters (skipped without redis-server, unless TESTS_REQUIRE_REDIS=1),
 * a {@link Receiver} checking the tests' secret, the chat servers the test started and its
 * clients, all stopped after it.
 */
final class RedisRig implements BeforeEachCallback, AfterEachCallback {

    private final boolean cluster;
    private RedisServer redis;
    private RedisClusterNodes nodes;
    private Receiver receiver;
    private Clients clients;
    private final List<AutoCloseable> servers = new ArrayList<>();

    /** On one redis-server. */
    RedisRig() {
        this(false);
    }

    /** On one redis-server, or with {@code cluster} on a Redis Cluster of three masters. */
    RedisRig(boolean cluster) {
        this.cluster = cluster;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (cluster) {
            nodes = RedisClusterNodes.start();
        } else {
            redis = RedisServer.start();
        }
        receiver = Receiver.start(WebhooksTest.SECRET);
        clients = new Clients();
    }

    String redisUrl() {
        return cluster ? nodes.url() : redis.url();
    }

    /** The cluster's nodes, with {@code cluster}. */
    RedisClusterNodes cluster() {
        return nodes;
    }

    /** The test's redis-server, as a master for a replica of the test's own. */
    RedisServer redis() {
        return redis;
    }

    Receiver receiver() {
        return receiver;
    }

    Clients clients() {
        return clients;
    }

    /** A chat server started for the test: closed after it, unless {@link #gone} before. */
    <T extends AutoCloseable> T started(T server) {
        servers.add(server);
        return server;
    }

    /** A server the test closed itself. */
    void gone(AutoCloseable server) {
        servers.remove(server);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (clients != null) {
            clients.close();
        }
        for (AutoCloseable server : servers) {
            server.close();
        }
        servers.clear();
        if (receiver != null) {
            receiver.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (nodes != null) {
            nodes.close();
        }
    }
}

package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jchat.config.ChatConfig;
import dev.jchat.TestClient;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The embedded chat servers a Redis test starts, each as the Redis tests run them, closed with the
 * test after its clients; made by {@link #withRedis} and registered as a JUnit extension
 * ({@code @RegisterExtension}), also a redis-server of the test's own, started before each test and
 * stopped after its servers. Not thread-safe: one test's fixture.
 */
final class RedisChats implements AutoCloseable, BeforeEachCallback, AfterEachCallback {

    final RoomClients clients = new RoomClients();
    private final List<EmbeddedServer> servers = new ArrayList<>();
    private final List<AutoCloseable> before = new ArrayList<>(); // closed before the clients: load that drives them
    private final List<AutoCloseable> after = new ArrayList<>();  // closed after the servers: the test's own Redis
    private final boolean ownRedis;
    private RedisServer redis;

    /** Servers and clients only: the test runs its Redis (a Sentinel's, a cluster) itself. */
    RedisChats() {
        this(false);
    }

    private RedisChats(boolean ownRedis) {
        this.ownRedis = ownRedis;
    }

    /** With a redis-server of each test's own (skipped without one, unless TESTS_REQUIRE_REDIS=1). */
    static RedisChats withRedis() {
        return new RedisChats(true);
    }

    /** The test's redis-server ({@link #withRedis}). */
    RedisServer redis() {
        return redis;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (ownRedis) {
            redis = RedisServer.start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (AutoCloseable load : before) {
            load.close();
        }
        before.clear();
        close();
        for (AutoCloseable redisOfTheTest : after) {
            redisOfTheTest.close();
        }
        after.clear();
        if (redis != null) {
            redis.close();
        }
    }

    /** Closes {@code load} (traffic that drives the clients) after the test, before the clients and servers. */
    <T extends AutoCloseable> T closedFirst(T load) {
        before.add(load);
        return load;
    }

    /** Closes {@code redisOfTheTest} (a Sentinel's, a cluster) after the test, once its servers are closed. */
    <T extends AutoCloseable> T closedLast(T redisOfTheTest) {
        after.add(redisOfTheTest);
        return redisOfTheTest;
    }

    /** Loopback, a free port, no rate limit, rooms in the Redis at {@code redisUrl}, presence lasting {@code presenceTtlSeconds}. */
    static ChatConfig config(String redisUrl, int presenceTtlSeconds) {
        return ChatConfig.defaults().withHost("127.0.0.1").withPort(0)
                .withSecurity(ChatConfig.Security.defaults().withRate(0, 0))
                .withEngine(ChatConfig.Engine.inMemory().withRedis(redisUrl, "chat").withPresenceTtlSeconds(presenceTtlSeconds));
    }

    /** A server with {@link #config}, presence lasting 3 s. */
    EmbeddedServer start(String redisUrl) throws Exception {
        return start(config(redisUrl, 3));
    }

    EmbeddedServer start(ChatConfig config) throws Exception {
        EmbeddedServer server = EmbeddedServer.start(config);
        servers.add(server);
        return server;
    }

    /** Waits until a new connection to the server is welcomed again (Redis answers it once more). */
    static void awaitServing(EmbeddedServer server) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            TestClient probe = TestClient.connect(URI.create(server.chatUri() + "?room=probe"));
            JsonObject first = probe.next();
            probe.close();
            if (first.getString("type").equals("welcome")) {
                return;
            }
            assertFalse(System.nanoTime() > deadline, "the server never served again: " + first);
            Thread.sleep(100);
        }
    }

    /** A server the test closed itself. */
    void closed(EmbeddedServer server) {
        servers.remove(server);
    }

    @Override
    public void close() {
        clients.close();
        servers.forEach(EmbeddedServer::close);
        servers.clear(); // more may start after, as after a restart of every server
    }
}

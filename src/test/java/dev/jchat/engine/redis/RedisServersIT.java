package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import dev.jchat.servers.PayaraServer;
import dev.jchat.servers.ServerProcess;
import dev.jchat.servers.StandaloneServer;
import dev.jchat.servers.TomcatServer;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Chat servers in processes of their own on one real redis-server: standalone jars that are
 * killed with SIGKILL, and the WAR in a real Tomcat and a real Payara Micro beside a jar.
 */
class RedisServersIT {

    private static final int PRESENCE_TTL_SECONDS = 3;

    private RedisServer redis;
    private final List<ServerProcess> servers = new ArrayList<>();
    private final RoomClients clients = new RoomClients();
    private final String room = clients.room;

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        clients.close();
        servers.forEach(ServerProcess::close);
        if (redis != null) {
            redis.close();
        }
    }

    private Map<String, String> settings() {
        return Map.of("CHAT_REDIS_URL", redis.url(), "CHAT_PRESENCE_TTL_SECONDS", Integer.toString(PRESENCE_TTL_SECONDS),
                "CHAT_RATE_PER_SECOND", "0");
    }

    private ServerProcess jar() throws Exception {
        ServerProcess server = StandaloneServer.start(settings());
        servers.add(server);
        return server;
    }

    private TestClient connect(ServerProcess server, String query) {
        return clients.connect(server.chatUri(), query);
    }

    private TestClient join(ServerProcess server, String user) {
        return clients.join(server.chatUri(), user);
    }

    @Test
    void aKilledServersNamesLeaveOnceWithinThePresenceTtl() throws Exception {
        ServerProcess a = jar();
        ServerProcess b = jar();
        ServerProcess c = jar();
        TestClient bob = join(b, "bob");
        TestClient carol = join(c, "carol");
        bob.next("join");
        join(a, "alice");
        assertEquals("alice", bob.next("join").getString("user"));
        assertEquals("alice", carol.next("join").getString("user"));

        a.kill();
        long killed = System.nanoTime();
        for (TestClient watcher : List.of(bob, carol)) {
            JsonObject left = watcher.next("leave");
            assertEquals("alice", left.getString("user"));
            assertEquals(2, left.getInt("online"));
        }
        Duration noticed = Duration.ofNanos(System.nanoTime() - killed);
        assertTrue(noticed.toMillis() <= (PRESENCE_TTL_SECONDS + 1) * 1_000L, "noticed after " + noticed.toMillis() + " ms");
        // both remaining servers sweep every second: still one leave each
        Thread.sleep(2 * PRESENCE_TTL_SECONDS * 1_000L);
        bob.assertNothingPending();
        carol.assertNothingPending();
        assertEquals(List.of("bob", "carol"), TestClient.strings(connect(c, "").welcome(), "users"));
    }

    @Test
    void aClientOfAKilledServerResumesOnAnotherWithExactlyWhatItMissed() throws Exception {
        ServerProcess a = jar();
        ServerProcess b = jar();
        TestClient reader = connect(a, "&user=reader");
        String epoch = reader.welcome().getString("epoch");
        TestClient writer = join(b, "writer");
        writer.say("seen");
        assertEquals(1, reader.nextChat().getInt("id"));
        a.kill();
        for (int i = 2; i <= 4; i++) {
            writer.say("missed " + i);
        }
        for (int id = 1; id <= 4; id++) {
            assertEquals(id, writer.nextChat().getInt("id"));
        }
        TestClient resumed = connect(b, "&user=reader&since=1&epoch=" + epoch);
        JsonObject welcome = resumed.welcome();
        assertTrue(welcome.getBoolean("recovered"));
        for (int id = 2; id <= 4; id++) {
            JsonObject chat = resumed.next("chat");
            assertEquals(id, chat.getInt("id"));
            assertEquals("missed " + id, chat.getString("msg"));
        }
        resumed.assertNothingPending();
    }

    @Test
    void aJarATomcatAndAPayaraOnOneRedisAreOneChat() throws Exception {
        ServerProcess jar = jar();
        ServerProcess tomcat = TomcatServer.start(settings());
        servers.add(tomcat);
        ServerProcess payara = PayaraServer.start(Map.of(), settings());
        servers.add(payara);
        List<TestClient> people = List.of(join(jar, "jay"), join(tomcat, "tom"), join(payara, "pat"));
        for (TestClient person : people) {
            person.say("hello from " + person.hashCode());
        }
        List<String> first = null;
        for (TestClient person : people) {
            List<String> seen = new ArrayList<>();
            for (int id = 1; id <= people.size(); id++) {
                JsonObject chat = person.nextChat();
                assertEquals(id, chat.getInt("id"));
                seen.add(chat.getString("user") + ":" + chat.getString("msg"));
            }
            if (first == null) {
                first = seen;
            }
            assertEquals(first, seen, "one order on every runtime");
        }
        assertEquals(List.of("jay", "pat", "tom"), TestClient.strings(connect(payara, "").welcome(), "users"));
        assertFalse(payara.log().contains("ClassNotFoundException") || tomcat.log().contains("ClassNotFoundException"));

        tomcat.close(); // Tomcat reports any thread the application leaves behind as it stops it
        String log = tomcat.log();
        assertTrue(log.contains("disconnected from Redis"), "the engine closed its connections");
        assertFalse(log.contains("failed to stop it") || log.contains("memory leak"), () -> "left behind:\n" + log);
    }

}

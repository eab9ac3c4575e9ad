package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import dev.jchat.launcher.EmbeddedServer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two chat servers on a Redis Cluster of three masters ({@code redis-cluster://}): the same
 * multi-server contract as on one Redis ({@link MultiServerContract}), and the rooms spread over
 * the nodes, each room's keys and channel on the node of its hash slot.
 */
class RedisClusterTest extends MultiServerContract {

    private RedisClusterNodes cluster;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = RedisClusterNodes.start();
    }

    @AfterEach
    void stopAll() {
        chats.close();
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected String redisUrl() {
        return cluster.url();
    }

    @Override
    protected List<String> ask(String command) throws Exception {
        return cluster.ask(command);
    }

    @Test
    void roomsLiveOnEveryNodeEachOnTheNodeOfItsSlot() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        Set<Integer> nodesWithRooms = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            String name = room + "-" + i;
            TestClient onA = clients.add(TestClient.connect(java.net.URI.create(a.chatUri() + "?room=" + name + "&user=ann" + i)));
            onA.welcome();
            TestClient onB = clients.add(TestClient.connect(java.net.URI.create(b.chatUri() + "?room=" + name + "&user=bob" + i)));
            onB.welcome();
            onA.say("to " + name);
            assertEquals("to " + name, onB.nextChat().getString("msg"), "across servers, through the room's node");
            for (int n = 0; n < cluster.nodes().size(); n++) {
                List<String> keys = cluster.nodes().get(n).ask("KEYS chat:{" + name + "}:*");
                if (!keys.isEmpty()) {
                    nodesWithRooms.add(n);
                    assertTrue(keys.contains("chat:{" + name + "}:log"), () -> "all of the room's keys on one node: " + keys);
                }
            }
        }
        assertEquals(3, nodesWithRooms.size(), "twelve rooms spread over the three masters");
    }
}

package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code CHAT_REDIS_WAIT_REPLICAS=1} on a real master and replica: a message is published only
 * once the replica holds it; while the replica hangs (connected, acknowledging nothing), its sender
 * gets {@code unavailable} and the message is taken out of the log, never to appear, even once the
 * replica is back and the room goes on; a join meanwhile is answered at once (WAIT blocks only the
 * held messages' connection). (A replica gone altogether is seen by the master's count of
 * replicas, and a message is then refused before it is numbered: {@code RedisSentinelTest}.)
 */
class RedisWaitReplicasTest {

    private final RedisChats chats = new RedisChats();
    private final RoomClients clients = chats.clients;
    private RedisServer master;
    private RedisServer replica;

    @AfterEach
    void stopAll() throws Exception {
        chats.close();
        for (RedisServer server : new RedisServer[] {replica, master}) {
            if (server != null) {
                server.close();
            }
        }
    }

    private EmbeddedServer server() throws Exception {
        ChatConfig config = RedisChats.config(master.url(), 3);
        return chats.start(config.withEngine(config.engine().withRedisWaitReplicas(1)));
    }

    @Test
    void aMessageTheReplicaDidNotGetIsRefusedAndNeverAppears() throws Exception {
        master = RedisServer.start();
        replica = RedisServer.startReplicaOf(master);
        awaitReplica();
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient reader = clients.join(b.chatUri(), "reader");
        TestClient writer = clients.join(a.chatUri(), "writer");
        for (int id = 1; id <= 3; id++) {
            writer.say("kept " + id);
            assertEquals(id, writer.nextChat().getInt("id"), "acknowledged once the replica has it");
        }

        replica.freeze(); // connected, and acknowledging nothing: WAIT times out
        writer.say("refused");
        // WAIT blocks only the held messages' connection: a join meanwhile (load.lua, presence) is
        // answered while the message still waits for its replica
        TestClient other = clients.add(TestClient.connect(java.net.URI.create(a.chatUri() + "?room=" + clients.room
                + "-other&user=other")));
        other.welcome();
        writer.assertNothingPending();
        JsonObject error = writer.skipTo("error");
        assertEquals("unavailable", error.getString("code"), "no replica took it in time: " + error);
        String log = "chat:{" + clients.room + "}:log";
        assertEquals(List.of("1-0", "2-0", "3-0"), streamIds(log), "taken out of the log");

        replica.thaw();
        awaitReplica();
        writer.say("after");
        JsonObject after = writer.nextChat();
        assertEquals("after", after.getString("msg"));
        assertEquals(5, after.getInt("id"), "the refused message's id is not given again");

        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            JsonObject chat = reader.nextChat();
            seen.add(chat.getInt("id") + ":" + chat.getString("msg"));
        }
        assertEquals(List.of("1:kept 1", "2:kept 2", "3:kept 3", "5:after"), seen, "the refused one never reached anyone");
        TestClient late = clients.connect(a.chatUri(), "&user=late");
        late.welcome();
        List<String> backlog = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            backlog.add(late.nextChat().getString("msg"));
        }
        assertEquals(List.of("kept 1", "kept 2", "kept 3", "after"), backlog, "nor is it in the history");
        assertFalse(String.valueOf(master.ask("HVALS chat:{" + clients.room + "}:msgs")).contains("refused"));
    }

    private List<String> streamIds(String key) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String field : master.ask("XRANGE " + key + " - +")) {
            if (field.matches("\\d+-0")) {
                ids.add(field);
            }
        }
        return ids;
    }

    /** Waits until the master has the replica online and caught up. */
    private void awaitReplica() throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!String.valueOf(master.ask("INFO replication")).contains("state=online")) {
            assertTrue(System.nanoTime() < deadline, "the replica never came online");
            Thread.sleep(50);
        }
    }
}

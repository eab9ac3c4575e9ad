package dev.jchat.servers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jchat.TestClient;
import jakarta.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tomcat throws IllegalStateException when two sends overlap on one session (Tyrus hides it):
 * 50 clients each send 200 messages as fast as they can, and everyone must get all 10 000, once,
 * in one order, with no such exception in the server's log.
 */
class TomcatConcurrencyIT {

    private static final int CLIENTS = 50;
    private static final int EACH = 200;

    @Test
    void fiftyClientsSendingAtOnceAllReceiveEverythingOnceInOneOrder() throws Exception {
        Map<String, String> env = Map.of("CHAT_RATE_PER_SECOND", "0", "CHAT_OUTBOX_BYTES", "67108864",
                "CHAT_HISTORY_REPLAY", "0");
        try (ServerProcess server = TomcatServer.start(env)) {
            List<TestClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    TestClient client = TestClient.connect(URI.create(server.chatUri() + "?room=load&user=client" + i));
                    client.welcome();
                    clients.add(client);
                }
                sendAllAtOnce(clients);
                String[] first = null;
                for (TestClient client : clients) {
                    String[] byId = receiveAll(client);
                    if (first == null) {
                        first = byId;
                    } else {
                        assertArrayEquals(first, byId, "every client sees one order");
                    }
                }
                for (int sender = 0; sender < CLIENTS; sender++) {
                    int next = 0;
                    for (int id = 1; id <= CLIENTS * EACH; id++) {
                        if (first[id].startsWith(sender + ":")) {
                            assertEquals(sender + ":" + next, first[id], "a sender's messages keep their order");
                            next++;
                        }
                    }
                    assertEquals(EACH, next);
                }
            } finally {
                clients.forEach(TestClient::close);
            }
            String log = server.log();
            assertFalse(log.contains("IllegalStateException"), "overlapping sends on Tomcat:\n" + log);
        }
    }

    private static void sendAllAtOnce(List<TestClient> clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> sending = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                TestClient client = clients.get(i);
                int sender = i;
                sending.add(pool.submit(() -> {
                    start.await();
                    for (int n = 0; n < EACH; n++) {
                        client.say(sender + ":" + n);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : sending) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The client's chat messages by id, 1 to 10 000, each exactly once; join notices skipped. */
    private static String[] receiveAll(TestClient client) {
        String[] byId = new String[CLIENTS * EACH + 1];
        int received = 0;
        long lastId = 0;
        while (received < CLIENTS * EACH) {
            JsonObject frame = client.next();
            if (!frame.getString("type").equals("chat")) {
                continue;
            }
            int id = frame.getInt("id");
            assertEquals(lastId + 1, id, "no gap, no duplicate");
            assertNull(byId[id]);
            byId[id] = frame.getString("msg");
            lastId = id;
            received++;
        }
        return byId;
    }
}

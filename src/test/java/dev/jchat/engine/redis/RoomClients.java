package dev.jchat.engine.redis;

import dev.jchat.TestClient;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The connections of one test to a room of its own, on whichever servers it runs: all closed
 * together. Not thread-safe: one test thread uses it.
 */
final class RoomClients implements AutoCloseable {

    /** The test's room, a fresh name. */
    final String room = "r-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<TestClient> clients = new ArrayList<>();

    /** Connects to the room through {@code chatUri}, with {@code query} ({@code &user=...}) added. */
    TestClient connect(URI chatUri, String query) {
        return add(TestClient.connect(URI.create(chatUri + "?room=" + room + query)));
    }

    /** Connects as {@code user} and consumes the welcome. */
    TestClient join(URI chatUri, String user) {
        TestClient client = connect(chatUri, "&user=" + user);
        client.welcome();
        return client;
    }

    /** Keeps a connection made otherwise, to close it with the rest. */
    TestClient add(TestClient client) {
        clients.add(client);
        return client;
    }

    @Override
    public void close() {
        clients.forEach(TestClient::close);
    }
}

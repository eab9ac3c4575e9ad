package dev.jchat.webhook;

import dev.jchat.TestClient;
import jakarta.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** The WebSocket clients a webhook test opened, closed after it. Not thread-safe: one test's. */
final class Clients implements AutoCloseable {

    private final List<TestClient> open = new ArrayList<>();

    /** A version-3 client of {@code user} in {@code room} on the server at {@code chat}, welcomed. */
    TestClient join(URI chat, String room, String user) {
        TestClient client = add(TestClient.connect(URI.create(chat + "?v=3&room=" + room + "&user=" + user)));
        client.welcome();
        return client;
    }

    TestClient add(TestClient client) {
        open.add(client);
        return client;
    }

    /** Says {@code msg} and answers its id, passing over the other frames the client gets meanwhile. */
    static long say(TestClient client, String msg) {
        client.say(msg);
        JsonObject chat;
        do {
            chat = client.skipTo("chat");
        } while (!msg.equals(chat.getString("msg")));
        return chat.getJsonNumber("id").longValue();
    }

    @Override
    public void close() {
        open.forEach(TestClient::close);
    }
}

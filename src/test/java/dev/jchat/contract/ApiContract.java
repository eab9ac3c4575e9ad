package dev.jchat.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.ApiClient;
import dev.jchat.TestClient;
import dev.jchat.hook.HookReceiver;
import dev.jchat.webhook.Receiver;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API as every runtime serves it, below its context path, with {@link #SETTINGS}: the key,
 * a post reaching a WebSocket client, and a read; and the application's other two ways in, the
 * publish hook and webhooks, from the web application's own threads. Every call and status is
 * ApiTest's, every hook answer PublishHookTest's, every event WebhooksTest's, on the launcher.
 */
public abstract class ApiContract {

    public static final String KEY = "api-key-for-the-contract-0123456789ab";
    private static final String WEBHOOK_SECRET = "webhook-secret-for-the-contract-0123";
    /** The runtime's hook and webhooks call these, on this machine: started once for the test JVM. */
    private static final HookReceiver HOOK = HookReceiver.start();
    private static final Receiver WEBHOOKS = Receiver.start(WEBHOOK_SECRET);
    public static final Map<String, String> SETTINGS = Map.of("CHAT_API_KEY", KEY, "CHAT_PUBLISH_HOOK_URL", HOOK.url(),
            "CHAT_PUBLISH_HOOK_TIMEOUT_MS", "2000", "CHAT_WEBHOOK_URL", WEBHOOKS.url(), "CHAT_WEBHOOK_SECRET", WEBHOOK_SECRET);

    private final String room = "api-" + UUID.randomUUID().toString().substring(0, 8);

    /** The endpoint, e.g. {@code ws://localhost:8080/ctx/chat}: the API is at {@code /ctx/api/}. */
    protected abstract URI chatUri();

    @Test
    void aPostBelowTheContextPathReachesTheRoomAndCanBeRead() {
        ApiClient api = ApiClient.forChat(chatUri(), KEY);
        assertEquals(401, api.authorized(null).get("api/rooms").statusCode());
        try (TestClient watcher = TestClient.connect(URI.create(chatUri() + "?room=" + room + "&user=watcher"))) {
            watcher.welcome();
            HttpResponse<String> posted = api.post("api/rooms/" + room + "/messages",
                    "{\"user\":\"shop-bot\",\"msg\":\"order shipped\"}");
            assertEquals(201, posted.statusCode(), posted::body);
            JsonObject chat = watcher.nextChat();
            assertEquals("order shipped", chat.getString("msg"));
            assertTrue(chat.getBoolean("api"), chat::toString);
            assertEquals(List.of("watcher"),
                    TestClient.strings(ApiClient.json(api.get("api/rooms/" + room + "/presence")), "users"));
            JsonObject page = ApiClient.json(api.get("api/rooms/" + room + "/messages"));
            assertEquals(ApiClient.json(posted).getString("epoch"), page.getString("epoch"));
            assertEquals(1, page.getJsonArray("messages").size());
        }
    }

    @Test
    void aPostPassesThePublishHookAndMakesASignedWebhookEvent() {
        ApiClient api = ApiClient.forChat(chatUri(), KEY);
        try (TestClient watcher = TestClient.connect(URI.create(chatUri() + "?room=" + room + "&user=watcher"))) {
            watcher.welcome();
            HttpResponse<String> posted = api.post("api/rooms/" + room + "/messages",
                    "{\"user\":\"shop-bot\",\"msg\":\"replace order shipped\"}");
            assertEquals(201, posted.statusCode(), posted::body);
            assertEquals("REPLACED order shipped", watcher.nextChat().getString("msg"), "the hook's text");
            HttpResponse<String> rejected = api.post("api/rooms/" + room + "/messages",
                    "{\"user\":\"shop-bot\",\"msg\":\"reject this\"}");
            assertEquals(422, rejected.statusCode(), rejected::body);
            List<JsonObject> events = WEBHOOKS.taken(Receiver.inRoom(room).and(e -> "message".equals(e.getString("event"))),
                    1, Duration.ofSeconds(20));
            assertEquals("REPLACED order shipped", events.get(0).getString("msg"));
            assertEquals(ApiClient.json(posted).getJsonNumber("id").longValue(), events.get(0).getJsonNumber("id").longValue());
            assertTrue(events.get(0).getBoolean("api"));
            WEBHOOKS.assertAllSigned();
        }
    }

    @Test
    void aDeletionAModerationAndADisconnect() {
        ApiClient api = ApiClient.forChat(chatUri(), KEY);
        try (TestClient troll = TestClient.connect(URI.create(chatUri() + "?room=" + room + "&user=troll"))) {
            troll.welcome();
            troll.say("spam");
            long id = troll.nextChat().getJsonNumber("id").longValue();
            HttpResponse<String> deleted = api.send("DELETE", "api/rooms/" + room + "/messages/" + id, null);
            assertEquals(200, deleted.statusCode(), deleted::body);
            assertEquals(id + 1, ApiClient.json(deleted).getJsonNumber("id").longValue());
            HttpResponse<String> muted = api.post("api/rooms/" + room + "/moderation", "{\"action\":\"mute\",\"user\":\"troll\"}");
            assertEquals(200, muted.statusCode(), muted::body);
            HttpResponse<String> closed = api.send("POST", "api/users/troll/disconnect", null);
            assertEquals(200, closed.statusCode(), closed::body);
            assertEquals(1, ApiClient.json(closed).getInt("closed"));
            troll.skipToClose();
        }
    }

    @Test
    void aBodyOver64KiBIsRefusedAndABadOneExplained() {
        ApiClient api = ApiClient.forChat(chatUri(), KEY);
        HttpResponse<String> big = api.post("api/rooms/" + room + "/messages",
                "{\"user\":\"bot\",\"msg\":\"" + "a".repeat(70_000) + "\"}");
        assertEquals(413, big.statusCode(), big::body);
        HttpResponse<String> bad = api.post("api/rooms/" + room + "/messages", "{\"user\":\"bot\",");
        assertEquals(400, bad.statusCode(), bad::body);
        assertEquals("invalid-json", ApiClient.json(bad).getString("error"));
    }
}

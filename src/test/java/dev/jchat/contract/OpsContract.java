package dev.jchat.contract;

import static dev.jchat.OpsClient.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.OpsClient;
import dev.jchat.TestClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an operator sees of a server ({@code /metrics}, {@code /health/*}), run against every
 * runtime with {@link #SETTINGS}: the counts of a scripted conversation, the metrics token, and
 * the health answers. Each runtime's server is its own, so the counts are this class's alone.
 */
public abstract class OpsContract {

    public static final String TOKEN = "metrics-token-for-the-tests-0123";
    public static final Map<String, String> SETTINGS = Map.of("CHAT_METRICS_TOKEN", TOKEN,
            "CHAT_TOKEN_URL", "https://App.example.com:8443/api/chat-token", "CHAT_LOGIN_URL", "/login?to=chat");
    public static final ChatConfig CONFIG = ChatConfig.from(SETTINGS, name -> null);

    private final String room = "o-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<TestClient> clients = new ArrayList<>();

    /** The endpoint, e.g. {@code ws://localhost:8080/ctx/chat}. */
    protected abstract URI chatUri();

    /** The page, e.g. {@code http://localhost:8080/ctx/}: the operator's paths are beside it. */
    protected abstract URI pageUri();

    protected OpsClient ops() {
        return new OpsClient(pageUri(), TOKEN);
    }

    @AfterEach
    void closeClients() {
        clients.forEach(TestClient::close);
    }

    private TestClient join(String name) {
        TestClient client = TestClient.connect(URI.create(chatUri() + "?room=" + room + "&user=" + name));
        clients.add(client);
        client.welcome();
        return client;
    }

    private static JsonObject json(String body) {
        return Json.createReader(new StringReader(body)).readObject();
    }

    @Test
    void metricsCountAScriptedConversationExactly() throws Exception {
        OpsClient ops = ops();
        Map<String, Double> before = ops.scrapeUntil(s -> value(s, "chat_connections") == 0);
        assertEquals(0, value(before, "chat_connections"), "nobody else is connected");

        // three connections, four messages, two refused frames, one connection closed by the server
        TestClient ann = join("Ann");
        TestClient bob = join("Bob");
        TestClient cid = join("Cid");
        for (int i = 1; i <= 4; i++) {
            ann.say("m" + i);
        }
        for (TestClient client : List.of(ann, bob, cid)) {
            for (int i = 1; i <= 4; i++) {
                assertEquals("m" + i, client.nextChat().getString("msg"));
            }
        }
        bob.send("not json");
        bob.expectError("invalid-json");
        bob.send("{\"msg\":\"   \"}");
        bob.expectError("empty-message");
        cid.sendBinary(new byte[] {1, 2, 3});
        assertEquals(1003, cid.skipToClose().code());
        for (TestClient client : List.of(ann, bob)) {
            assertEquals("Cid", client.next("leave").getString("user"));
        }
        int received = ann.textsReceived() + bob.textsReceived() + cid.textsReceived();

        Map<String, Double> after = ops.scrapeUntil(s -> value(s, "chat_deliveries_total")
                - value(before, "chat_deliveries_total") >= received && value(s, "chat_connections") == 2);
        assertEquals(4, delta(before, after, "chat_messages_total"), "messages published");
        assertEquals(received, delta(before, after, "chat_deliveries_total"), "every frame the clients got, no more");
        assertEquals(received, delta(before, after, "chat_send_seconds_count"), "each delivery timed");
        assertEquals(1, delta(before, after, "chat_refused_total{code=\"invalid-json\"}"));
        assertEquals(1, delta(before, after, "chat_refused_total{code=\"empty-message\"}"));
        assertEquals(0, delta(before, after, "chat_refused_total{code=\"rate-limited\"}"), "codes not sent show 0");
        assertEquals(1, delta(before, after, "chat_closed_total{code=\"1003\"}"));
        assertEquals(0, delta(before, after, "chat_closed_total{code=\"1013\"}"));
        assertEquals(2, value(after, "chat_connections"));
        assertEquals(2, value(after, "chat_names_online"));
        assertTrue(value(after, "chat_rooms") >= 1, () -> "rooms " + value(after, "chat_rooms"));
        for (String own : List.of("jvm_memory_used_bytes{", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                "process_cpu_usage", "system_cpu_count", "process_files_open_files", "process_uptime_seconds")) {
            assertTrue(after.keySet().stream().anyMatch(name -> name.startsWith(own)), () -> "the JVM's and process's own: " + own);
        }
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
        assertTrue(after.containsKey(name), () -> name + " is shown");
        return value(after, name) - value(before, name);
    }

    @Test
    void metricsNeedTheTokenWhenOneIsSet() {
        OpsClient ops = ops();
        for (String authorization : new String[] {null, "Bearer wrong-token-of-the-same-size-0", "Basic " + TOKEN, TOKEN}) {
            HttpResponse<String> refused = ops.get("metrics", authorization);
            assertEquals(401, refused.statusCode(), () -> authorization + " got " + refused.statusCode());
            assertTrue(refused.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
            assertTrue(!refused.body().contains("chat_"), "nothing of the metrics");
        }
        HttpResponse<String> allowed = ops.get("metrics", "Bearer " + TOKEN);
        assertEquals(200, allowed.statusCode());
        assertTrue(allowed.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
                () -> "" + allowed.headers().map());
        assertTrue(allowed.body().contains("# TYPE chat_connections gauge"), allowed.body());
    }

    @Test
    void thePageIsToldHowToSignInAndMayFetchItsTokenThere() {
        OpsClient ops = ops();
        HttpResponse<String> config = ops.get("chat-config.json", null);
        assertEquals(200, config.statusCode(), config.body());
        assertTrue(config.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals(json("""
                {"auth":"names","tokenUrl":"https://App.example.com:8443/api/chat-token","loginUrl":"/login?to=chat","maxMessageChars":2000}"""),
                json(config.body()), "no secret set: names; the URLs as set; the message limit, for the page's counter");
        for (String page : new String[] {"", "index.html"}) {
            HttpResponse<String> index = ops.get(page, null);
            assertEquals(200, index.statusCode(), page);
            assertTrue(index.body().contains("connect-src 'self' https://app.example.com:8443;"),
                    () -> "the token's origin, and only it, beside the page's own: " + index.body());
            assertTrue(index.body().contains("<script type=\"module\" src=\"chat.js\"></script>"), index.body());
        }
    }

    @Test
    void healthSaysLiveAndReadyWithoutAToken() {
        OpsClient ops = new OpsClient(pageUri(), null);
        HttpResponse<String> live = ops.get("health/live", null);
        assertEquals(200, live.statusCode());
        assertEquals("live", json(live.body()).getString("status"));
        HttpResponse<String> ready = ops.get("health/ready", null);
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals("ready", json(ready.body()).getString("status"));
        assertTrue(ready.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals("no-store", ready.headers().firstValue("Cache-Control").orElse(""));
    }
}

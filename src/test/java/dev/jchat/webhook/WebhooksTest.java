package dev.jchat.webhook;

import static dev.jchat.webhook.Receiver.assertIds;
import static dev.jchat.webhook.Receiver.inRoom;
import static dev.jchat.webhook.Receiver.ofName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.ApiClient;
import dev.jchat.LogLines;
import dev.jchat.OpsClient;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Webhooks (docs/API.md) from the embedded launcher with the memory engine to a real HTTP
 * receiver, caused by real WebSocket clients and HTTP API calls: every event, its fields and
 * its signature (checked by the receiver with its own HMAC), retries, order per room, and the
 * offline grace.
 */
class WebhooksTest {

    static final String SECRET = "webhook-secret-for-the-tests-0123456789";
    static final String KEY = "k3y-for-the-webhook-tests-0123456789-abcdef";
    static final int GRACE_SECONDS = 2;
    static final Duration WAIT = Duration.ofSeconds(20);
    static final Receiver RECEIVER = Receiver.start(SECRET);

    static ChatConfig config(String url) {
        return config(url, SECRET);
    }

    static ChatConfig config(String url, String secret) {
        return ChatConfig.defaults().withHost("127.0.0.1").withWebhook(url, secret)
                .withOfflineGraceSeconds(GRACE_SECONDS)
                .withSecurity(ChatConfig.Security.defaults().withRate(0, 0).withApiKey(KEY));
    }

    @RegisterExtension
    static final ServerExtension SERVER = ServerExtension.embedded(config(RECEIVER.url()));

    static final Receiver UNSIGNED_RECEIVER = Receiver.start(null);

    @RegisterExtension
    static final ServerExtension UNSIGNED = ServerExtension.embedded(config(UNSIGNED_RECEIVER.url(), null));

    private final Clients clients = new Clients();

    @AfterEach
    void closeClients() {
        clients.close();
    }

    @AfterAll
    static void stopReceiver() {
        RECEIVER.close();
        UNSIGNED_RECEIVER.close();
    }

    TestClient join(URI chat, String room, String user) {
        return clients.join(chat, room, user);
    }

    @Test
    void everyEventOfARoomInOrderSignedAndNoneForReactions() {
        String room = "wh-all";
        ApiClient api = ApiClient.forChat(SERVER.chatUri(), KEY);
        TestClient ann = join(SERVER.chatUri(), room, "ann");
        ann.say("hello");
        long id = ann.nextChat().getJsonNumber("id").longValue();
        ann.send("{\"type\":\"react\",\"id\":" + id + ",\"emoji\":\"🎉\"}");
        ann.skipTo("reaction");
        ann.send("{\"type\":\"edit\",\"id\":" + id + ",\"msg\":\"hello again\"}");
        ann.skipTo("edit");
        assertEquals(201, api.post("api/rooms/" + room + "/messages", "{\"user\":\"bot\",\"msg\":\"shipped\"}").statusCode());
        assertEquals(200, api.send("DELETE", "api/rooms/" + room + "/messages/" + id, null).statusCode());
        assertEquals(200, api.post("api/rooms/" + room + "/moderation",
                "{\"action\":\"mute\",\"user\":\"eve\",\"seconds\":60,\"reason\":\"spam\"}").statusCode());

        List<JsonObject> events = RECEIVER.taken(inRoom(room), 5, WAIT);
        assertIds(events, id, id + 2, id + 3, id + 4, id + 5); // id + 1 is the reaction: no event
        JsonObject message = events.get(0);
        assertEquals("message", message.getString("event"));
        assertEquals("ann", message.getString("user"));
        assertEquals("hello", message.getString("msg"));
        assertFalse(message.getBoolean("api"));
        Instant.parse(message.getString("time"));
        JsonObject edit = events.get(1);
        assertEquals("edit", edit.getString("event"));
        assertEquals(id, edit.getJsonNumber("target").longValue());
        assertEquals("hello again", edit.getString("msg"));
        assertEquals("ann", edit.getString("user"));
        JsonObject posted = events.get(2);
        assertEquals("message", posted.getString("event"));
        assertEquals("bot", posted.getString("user"));
        assertTrue(posted.getBoolean("api"));
        JsonObject delete = events.get(3);
        assertEquals("delete", delete.getString("event"));
        assertEquals(id, delete.getJsonNumber("target").longValue());
        assertEquals("api", delete.getString("user"));
        JsonObject moderation = events.get(4);
        assertEquals("moderation", moderation.getString("event"));
        assertEquals("mute", moderation.getString("action"));
        assertEquals("eve", moderation.getString("user"));
        assertEquals("api", moderation.getString("by"));
        assertEquals("spam", moderation.getString("reason"));
        assertTrue(Instant.parse(moderation.getString("until")).isAfter(Instant.now()));

        JsonObject online = RECEIVER.taken(ofName("ann"), 1, WAIT).get(0);
        assertEquals("online", online.getString("event"));
        Set<String> ids = new HashSet<>();
        RECEIVER.all(e -> true).stream().filter(r -> r.answered() == 200) // a retry of a refused one is the same event
                .forEach(r -> assertTrue(ids.add(r.event().getString("eventId")), () -> "an eventId twice: " + r.body()));
        RECEIVER.assertAllSigned();
        assertEquals(5, RECEIVER.all(inRoom(room)).size(), "no reaction event, no repeat");
    }

    @Test
    void withoutASecretNoSignature() {
        join(UNSIGNED.chatUri(), "wh-unsigned", "gus").say("plain");
        assertEquals("plain", UNSIGNED_RECEIVER.taken(inRoom("wh-unsigned"), 1, WAIT).get(0).getString("msg"));
        UNSIGNED_RECEIVER.assertAllSigned(); // as expected: without the header
    }

    @Test
    void aRefusedEventIsRetriedAndHoldsItsRoomOnlyWhileOtherRoomsGoOn() throws Exception {
        String held = "wh-held";
        String other = "wh-other";
        LogLines logs = new LogLines("dev.jchat");
        RECEIVER.refuse(inRoom(held), 2);
        TestClient bea = join(SERVER.chatUri(), held, "bea");
        TestClient cid = join(SERVER.chatUri(), other, "cid");
        bea.say("held-one-text");
        long first = bea.nextChat().getJsonNumber("id").longValue();
        bea.say("held-two-text");
        bea.nextChat();
        cid.say("elsewhere");
        long elsewhere = cid.nextChat().getJsonNumber("id").longValue();

        assertIds(RECEIVER.taken(inRoom(other), 1, WAIT), elsewhere); // not held by the failing room
        assertTrue(RECEIVER.taken(inRoom(held), 0, WAIT).isEmpty(), "the held room's first event is being refused");
        List<JsonObject> delivered = RECEIVER.taken(inRoom(held), 2, WAIT);
        assertIds(delivered, first, first + 1);
        List<Receiver.Received> tries = RECEIVER.all(inRoom(held));
        assertEquals(List.of(500, 500, 200, 200), tries.stream().map(Receiver.Received::answered).toList());
        assertEquals(tries.get(0).event().getString("eventId"), tries.get(2).event().getString("eventId"),
                "a retry is the same event");
        Map<String, Double> metrics = OpsClient.forChat(SERVER.chatUri(), null).scrape();
        assertTrue(OpsClient.value(metrics, "chat_webhook_deliveries_total{outcome=\"failed\"}") >= 2, metrics::toString);
        assertTrue(OpsClient.value(metrics, "chat_webhook_retries_total") >= 2, metrics::toString);
        assertTrue(OpsClient.value(metrics, "chat_webhook_deliveries_total{outcome=\"delivered\"}") >= 3, metrics::toString);
        logs.close();
        String logged = logs.text();
        assertTrue(logged.contains("webhook not delivered, retried: status 500"), logged);
        assertFalse(logged.contains("held-one-text") || logged.contains(SECRET), "neither message text nor the secret is logged");
    }

    @Test
    void aConnectionThatNamesItselfByItsFirstMessageIsOnlineFromThen() {
        TestClient tutorial = clients.add(TestClient.connect(URI.create(SERVER.chatUri() + "?room=wh-first")));
        tutorial.welcome();
        tutorial.send("{\"user\":\"fay\",\"msg\":\"hi\"}");
        assertEquals("fay", tutorial.nextChat().getString("user"));
        assertEquals("online", RECEIVER.taken(ofName("fay"), 1, WAIT).get(0).getString("event"));
        tutorial.close();
        assertEquals("offline", RECEIVER.taken(ofName("fay"), 2, WAIT).get(1).getString("event"));
    }

    @Test
    void aReloadWithinTheGraceMakesNoEventAndALongerAbsenceOneOffline() throws Exception {
        String room = "wh-names";
        TestClient dan = join(SERVER.chatUri(), room, "dan");
        assertEquals("online", RECEIVER.taken(ofName("dan"), 1, WAIT).get(0).getString("event"));
        dan.close();
        Thread.sleep(GRACE_SECONDS * 1000 / 4);
        TestClient again = join(SERVER.chatUri(), room, "dan"); // a reload
        Thread.sleep(GRACE_SECONDS * 1000 + 1_500);
        assertEquals(1, RECEIVER.all(ofName("dan")).size(), "a reload within the grace: no offline, no second online");

        again.close();
        assertEquals("offline", RECEIVER.taken(ofName("dan"), 2, WAIT).get(1).getString("event"));
        Thread.sleep(GRACE_SECONDS * 1000 + 500);
        assertEquals(2, RECEIVER.all(ofName("dan")).size(), "one offline");
    }
}

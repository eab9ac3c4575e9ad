package dev.jchat.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.ApiClient;
import dev.jchat.LogLines;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP API (docs/API.md) on the embedded launcher, over real HTTP, with real WebSocket clients in the rooms. */
class ApiTest {

    static final String KEY = "k3y-for-the-api-tests-0123456789-abcdef";

    static ChatConfig config(String key) {
        return ChatConfig.defaults().withHost("127.0.0.1")
                .withSecurity(ChatConfig.Security.defaults().withRate(0, 0).withApiKey(key));
    }

    @RegisterExtension
    static final ServerExtension SERVER = ServerExtension.embedded(config(KEY));

    @RegisterExtension
    static final ServerExtension WITHOUT_KEY = ServerExtension.embedded(config(null));

    private final ApiClient api = ApiClient.forChat(SERVER.chatUri(), KEY);
    private final java.util.List<TestClient> clients = new java.util.ArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(TestClient::close);
    }

    private TestClient join(String room, String user) {
        TestClient client = TestClient.connect(URI.create(SERVER.chatUri() + "?room=" + room + "&user=" + user));
        clients.add(client);
        client.welcome();
        return client;
    }

    private static void assertError(int status, String code, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response::body);
        JsonObject error = ApiClient.json(response);
        assertEquals(code, error.getString("error"), response::body);
        assertFalse(error.getString("message").isBlank(), response::body);
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    void withoutAKeyEveryPathIsNotFound() {
        ApiClient off = ApiClient.forChat(WITHOUT_KEY.chatUri(), KEY);
        assertError(404, "not-found", off.get("api/rooms"));
        assertError(404, "not-found", off.get("api/rooms/r/presence"));
        assertError(404, "not-found", off.post("api/rooms/r/messages", "{\"user\":\"bot\",\"msg\":\"hi\"}"));
        assertError(404, "not-found", off.authorized(null).get("api/nothing"));
    }

    @Test
    void everyCallNeedsTheKey() {
        for (String header : new String[] {null, "Bearer " + KEY.substring(1), "Bearer " + KEY + "x", "Basic " + KEY, "Bearer"}) {
            HttpResponse<String> response = api.authorized(header).get("api/rooms");
            assertError(401, "unauthorized", response);
            assertEquals("Bearer realm=\"api\"", response.headers().firstValue("WWW-Authenticate").orElse(null));
            assertError(401, "unauthorized", api.authorized(header).post("api/rooms/r/messages", "{\"user\":\"bot\",\"msg\":\"hi\"}"));
        }
        assertEquals(200, api.authorized("bearer " + KEY).get("api/rooms").statusCode(), "the scheme in any case");
    }

    @Test
    void aPostReachesTheRoomMarkedAsTheApisAndAnswersItsIdAndEpoch() {
        TestClient watcher = join("shop", "watcher");
        HttpResponse<String> response = api.post("api/rooms/shop/messages", "{\"user\":\"shop-bot\",\"msg\":\"  order 17 shipped \"}");
        assertEquals(201, response.statusCode(), response::body);
        JsonObject posted = ApiClient.json(response);
        assertEquals("shop", posted.getString("room"));
        assertFalse(posted.getString("epoch").isEmpty());
        JsonObject chat = watcher.nextChat();
        assertEquals(posted.getJsonNumber("id").longValue(), chat.getJsonNumber("id").longValue());
        assertEquals(posted.getString("dateTime"), chat.getString("dateTime"));
        assertEquals("shop-bot", chat.getString("user"));
        assertEquals("order 17 shipped", chat.getString("msg"), "stripped as a chat frame's text");
        assertTrue(chat.getBoolean("api"), chat::toString);

        watcher.say("thanks");
        JsonObject own = watcher.nextChat();
        assertEquals("thanks", own.getString("msg"));
        assertFalse(own.containsKey("api"), "a member's message is as it always was: " + own);
    }

    @Test
    void aNameSomeoneHoldsNeedsTheBackendToVouchForIt() {
        join("held", "dora");
        String body = "{\"user\":\"dora\",\"msg\":\"hello\"";
        assertError(409, "name-taken", api.post("api/rooms/held/messages", body + "}"));
        assertError(409, "name-taken", api.post("api/rooms/held/messages", "{\"user\":\"DORA\",\"msg\":\"hello\"}"));
        assertError(400, "invalid-message", api.post("api/rooms/held/messages", body + ",\"as\":\"me\"}"));
        assertEquals(201, api.post("api/rooms/held/messages", body + ",\"as\":\"claimed\"}").statusCode());
    }

    @Test
    void badInputIsRefusedWithTheCodeOfAChatFrame() {
        String path = "api/rooms/bad/messages";
        assertError(400, "invalid-user", api.post(path, "{\"user\":\"x\",\"msg\":\"hi\"}"));
        assertError(400, "invalid-user", api.post(path, "{\"msg\":\"hi\"}"));
        assertError(400, "empty-message", api.post(path, "{\"user\":\"bot\",\"msg\":\"   \"}"));
        assertError(400, "invalid-message", api.post(path, "{\"user\":\"bot\"}"));
        assertError(400, "invalid-message", api.post(path, "{\"user\":\"bot\",\"msg\":5}"));
        assertError(400, "message-too-long", api.post(path, "{\"user\":\"bot\",\"msg\":\"" + "a".repeat(5000) + "\"}"));
        assertError(400, "invalid-json", api.post(path, "{\"user\":\"bot\",\"msg\":"));
        assertError(400, "invalid-json", api.post(path, "{\"user\":\"bot\",\"msg\":\"hi\"} junk"));
        assertError(400, "invalid-json", api.post(path, "[1]"));
        assertError(400, "invalid-json", api.post(path, null));
        assertError(400, "invalid-query", api.post("api/rooms/no.dots/messages", "{\"user\":\"bot\",\"msg\":\"hi\"}"));
        assertError(400, "invalid-query", api.post("api/rooms/%40ann%40bob/messages", "{\"user\":\"bot\",\"msg\":\"hi\"}"));
        assertError(400, "invalid-query", api.get("api/rooms?limit=0"));
        assertError(400, "invalid-query", api.get("api/rooms?limit=1001"));
        assertError(400, "invalid-query", api.get("api/rooms/bad/messages?limit=ten"));
        assertError(400, "invalid-query", api.get("api/rooms/bad/messages?before=-1"));
        assertEquals(404, api.get("api/rooms/bad/messages").statusCode(), "nothing was posted");
    }

    @Test
    void aBodyOver64KiBIsTooLarge() {
        String big = "{\"user\":\"bot\",\"msg\":\"" + "a".repeat(ApiAnswers.MAX_BODY_BYTES) + "\"}";
        assertError(413, "too-large", api.post("api/rooms/big/messages", big));
        // just under the limit, in several reads: all of it arrives
        String padded = "{\"user\":\"bot\",\"msg\":\"fits\"" + " ".repeat(ApiAnswers.MAX_BODY_BYTES - 40) + "}";
        HttpResponse<String> fits = api.post("api/rooms/big/messages", padded);
        assertEquals(201, fits.statusCode(), fits::body);
    }

    @Test
    void unknownPathsRoomsAndMethods() {
        assertError(404, "not-found", api.get("api/nothing"));
        assertError(404, "not-found", api.get("api"));
        assertError(404, "not-found", api.get("api/rooms/r/other"));
        assertError(404, "not-found", api.get("api/rooms/never-made/presence"));
        assertError(404, "not-found", api.get("api/rooms/never-made/messages"));
        HttpResponse<String> wrong = api.send("DELETE", "api/rooms", null);
        assertError(405, "method-not-allowed", wrong);
        assertEquals("GET", wrong.headers().firstValue("Allow").orElse(null));
        assertEquals("GET, POST", api.send("PUT", "api/rooms/r/messages", "{}").headers().firstValue("Allow").orElse(null));
    }

    @Test
    void roomsAndPresenceAreAsTheFramesSayThem() {
        join("busy", "zed");
        join("busy", "amy");
        join("quiet", "bob");
        api.post("api/rooms/busy/messages", "{\"user\":\"bot\",\"msg\":\"one\"}");
        HttpResponse<String> rooms = api.get("api/rooms");
        assertEquals(200, rooms.statusCode(), rooms::body);
        List<JsonObject> listed = ApiClient.json(rooms).getJsonArray("rooms").getValuesAs(JsonObject.class);
        JsonObject busy = listed.stream().filter(r -> r.getString("room").equals("busy")).findFirst().orElseThrow();
        assertEquals(2, busy.getInt("online"));
        assertEquals(1, busy.getJsonNumber("lastId").longValue());
        assertTrue(listed.indexOf(busy) < listed.indexOf(listed.stream()
                .filter(r -> r.getString("room").equals("quiet")).findFirst().orElseThrow()), "most people first");
        assertEquals(1, ApiClient.json(api.get("api/rooms?limit=1")).getJsonArray("rooms").size());

        HttpResponse<String> presence = api.get("api/rooms/busy/presence");
        assertEquals(200, presence.statusCode(), presence::body);
        assertEquals(Map.of("room", "busy", "users", List.of("amy", "zed")), Map.of(
                "room", ApiClient.json(presence).getString("room"),
                "users", TestClient.strings(ApiClient.json(presence), "users")));
    }

    @Test
    void messagesArePagedAsAVersion3HistoryAnswer() {
        TestClient reader = join("paged", "reader");
        for (String text : List.of("one", "two", "three")) {
            assertEquals(201, api.post("api/rooms/paged/messages", "{\"user\":\"bot\",\"msg\":\"" + text + "\"}").statusCode());
            reader.nextChat();
        }
        JsonObject newest = ApiClient.json(api.get("api/rooms/paged/messages?limit=2"));
        assertEquals("paged", newest.getString("room"));
        assertFalse(newest.getString("epoch").isEmpty());
        List<JsonObject> page = newest.getJsonArray("messages").getValuesAs(JsonObject.class);
        assertEquals(List.of("two", "three"), page.stream().map(m -> m.getString("msg")).toList());
        assertTrue(page.get(0).getBoolean("api"));
        assertTrue(newest.getBoolean("more"));
        long oldestId = page.get(0).getJsonNumber("id").longValue();
        JsonObject older = ApiClient.json(api.get("api/rooms/paged/messages?before=" + oldestId + "&limit=50"));
        assertEquals(List.of("one"), older.getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                .map(m -> m.getString("msg")).toList());
        assertFalse(older.getBoolean("more"));
    }

    @Test
    void aDeletionIsAModeratorsByApi() {
        TestClient author = join("deleting", "author");
        author.say("regrettable");
        long id = author.nextChat().getJsonNumber("id").longValue();
        HttpResponse<String> deleted = api.send("DELETE", "api/rooms/deleting/messages/" + id, null);
        assertEquals(200, deleted.statusCode(), deleted::body);
        assertEquals("deleting", ApiClient.json(deleted).getString("room"));
        assertEquals(id + 1, ApiClient.json(deleted).getJsonNumber("id").longValue(), "the delete entry is the log's next");
        JsonObject message = ApiClient.json(api.get("api/rooms/deleting/messages")).getJsonArray("messages").getJsonObject(0);
        assertTrue(message.getBoolean("deleted"), message::toString);
        assertFalse(message.containsKey("msg"), message::toString);

        assertError(404, "not-found", api.send("DELETE", "api/rooms/deleting/messages/" + id, null));
        assertError(404, "not-found", api.send("DELETE", "api/rooms/deleting/messages/999", null));
        assertError(404, "not-found", api.send("DELETE", "api/rooms/never-made/messages/1", null));
        assertError(400, "invalid-query", api.send("DELETE", "api/rooms/deleting/messages/x", null));
        assertError(405, "method-not-allowed", api.get("api/rooms/deleting/messages/" + id));
    }


    @Test
    void moderationIsAModeratorsByApi() {
        TestClient troll = join("moderated", "troll");
        HttpResponse<String> banned = api.post("api/rooms/moderated/moderation",
                "{\"action\":\"ban\",\"user\":\"troll\",\"seconds\":3600,\"reason\":\"spam\"}");
        assertEquals(200, banned.statusCode(), banned::body);
        JsonObject answer = ApiClient.json(banned);
        assertEquals("moderated", answer.getString("room"));
        assertTrue(answer.getJsonNumber("id").longValue() > 0);
        assertTrue(java.time.Instant.parse(answer.getString("until")).isAfter(java.time.Instant.now().plusSeconds(3500)));
        JsonObject error = troll.skipTo("error");
        assertEquals("banned", error.getString("code"));
        assertEquals("spam", error.getString("reason"));
        troll.expectClose(1008);
        String asTroll = "{\"user\":\"troll\",\"msg\":\"hi\",\"as\":\"claimed\"}";
        assertError(403, "banned", api.post("api/rooms/moderated/messages", asTroll));
        assertEquals(201, api.post("api/rooms/elsewhere/messages", asTroll).statusCode(), "the ban is the room's alone");
        TestClient again = TestClient.connect(URI.create(SERVER.chatUri() + "?room=moderated&user=troll"));
        clients.add(again);
        assertEquals("banned", again.expectError("banned").getString("code"));

        HttpResponse<String> lifted = api.post("api/rooms/moderated/moderation", "{\"action\":\"unban\",\"user\":\"troll\"}");
        assertEquals(200, lifted.statusCode(), lifted::body);
        assertTrue(ApiClient.json(lifted).isNull("until"));
        TestClient back = join("moderated", "troll");

        assertEquals(200, api.post("api/rooms/moderated/moderation", "{\"action\":\"mute\",\"user\":\"troll\"}").statusCode());
        back.say("still here");
        assertEquals("muted", back.skipTo("error").getString("code"));
        assertError(403, "muted", api.post("api/rooms/moderated/messages", asTroll));
        assertError(403, "muted", api.post("api/rooms/moderated/messages", asTroll.replace("troll", "Troll")));
        assertEquals(200, api.post("api/rooms/moderated/moderation", "{\"action\":\"kick\",\"user\":\"troll\"}").statusCode());
        assertEquals("kicked", back.skipTo("error").getString("code"));

        String path = "api/rooms/moderated/moderation";
        assertError(400, "invalid-message", api.post(path, "{\"action\":\"shout\",\"user\":\"troll\"}"));
        assertError(400, "invalid-user", api.post(path, "{\"action\":\"mute\",\"user\":\"x\"}"));
        assertError(400, "invalid-message", api.post(path, "{\"action\":\"mute\",\"user\":\"troll\",\"seconds\":-1}"));
        assertError(400, "invalid-message", api.post(path, "{\"action\":\"mute\",\"user\":\"troll\",\"seconds\":1.5}"));
        assertError(400, "invalid-message", api.post(path, "{\"action\":\"mute\",\"user\":\"troll\",\"reason\":\""
                + "r".repeat(201) + "\"}"));
        assertError(405, "method-not-allowed", api.get(path));
    }

    @Test
    void aDisconnectClosesEveryConnectionOfTheName() {
        TestClient one = join("first", "leaver");
        TestClient two = join("second", "leaver");
        TestClient other = join("first", "stayer");
        HttpResponse<String> closed = api.post("api/users/leaver/disconnect", "{\"reason\":\"account closed\"}");
        assertEquals(200, closed.statusCode(), closed::body);
        assertEquals(2, ApiClient.json(closed).getInt("closed"));
        for (TestClient client : List.of(one, two)) {
            JsonObject error = client.skipTo("error");
            assertEquals("kicked", error.getString("code"));
            assertEquals("account closed", error.getString("msg"));
            client.expectClose(1008);
        }
        assertTrue(other.isOpen());
        assertEquals(0, ApiClient.json(api.send("POST", "api/users/leaver/disconnect", null)).getInt("closed"), "no body: no reason");
        assertError(400, "invalid-user", api.post("api/users/x/disconnect", "{}"));
        assertError(400, "invalid-json", api.post("api/users/leaver/disconnect", "{"));
        assertError(405, "method-not-allowed", api.get("api/users/leaver/disconnect"));
    }

    @Test
    void theKeyIsInNoLogLine() {
        try (LogLines log = new LogLines("")) {
            api.post("api/rooms/logged/messages", "{\"user\":\"bot\",\"msg\":\"hi\"}");
            api.authorized("Bearer " + KEY + "-wrong").get("api/rooms");
            api.authorized("Bearer " + KEY.substring(0, 20)).get("api/rooms");
            api.post("api/rooms/logged/messages", "{\"user\":");
            assertFalse(log.text().contains(KEY.substring(0, 16)), log::text);
        }
    }
}

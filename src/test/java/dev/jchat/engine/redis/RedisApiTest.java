package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.ApiClient;
import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP API with two chat servers on one real redis-server: a call on one server acts for the other's clients. */
class RedisApiTest {

    private static final String KEY = "k3y-for-the-redis-api-tests-0123456789";

    @RegisterExtension
    final RedisChats chats = RedisChats.withRedis();
    private final RoomClients clients = chats.clients;
    private final String room = clients.room;

    private EmbeddedServer server() throws Exception {
        ChatConfig config = RedisChats.config(chats.redis().url(), 3);
        return chats.start(config.withSecurity(config.security().withApiKey(KEY)));
    }

    private static String post(String user, String msg) {
        return "{\"user\":\"" + user + "\",\"msg\":\"" + msg + "\"}";
    }

    @Test
    void aPostOnOneServerReachesTheClientsOfTheOther() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient onB = clients.join(b.chatUri(), "bea");
        ApiClient apiA = ApiClient.forChat(a.chatUri(), KEY);

        HttpResponse<String> first = apiA.post("api/rooms/" + room + "/messages", post("order-bot", "order 1 shipped"));
        assertEquals(201, first.statusCode(), first::body);
        JsonObject chat = onB.nextChat();
        assertEquals("order 1 shipped", chat.getString("msg"));
        assertTrue(chat.getBoolean("api"), chat::toString);
        assertEquals(ApiClient.json(first).getJsonNumber("id").longValue(), chat.getJsonNumber("id").longValue());

        // on the server that holds the room, after a member's own message: the next id, in order
        onB.say("and mine");
        long mine = onB.nextChat().getJsonNumber("id").longValue();
        HttpResponse<String> second = ApiClient.forChat(b.chatUri(), KEY)
                .post("api/rooms/" + room + "/messages", post("order-bot", "order 2 shipped"));
        assertEquals(201, second.statusCode(), second::body);
        assertEquals(mine + 1, ApiClient.json(second).getJsonNumber("id").longValue());
        assertEquals(ApiClient.json(first).getString("epoch"), ApiClient.json(second).getString("epoch"), "one room, one epoch");
        assertEquals("order 2 shipped", onB.nextChat().getString("msg"));
    }

    @Test
    void presenceAndMessagesAreTheClustersOnAnyServer() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient onA = clients.join(a.chatUri(), "ann");
        clients.join(b.chatUri(), "bob");
        onA.say("from a");
        onA.nextChat();
        ApiClient apiB = ApiClient.forChat(b.chatUri(), KEY);
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<String> users;
        do { // bob's server learns of ann as its presence refreshes
            users = TestClient.strings(ApiClient.json(apiB.get("api/rooms/" + room + "/presence")), "users");
            Thread.sleep(50);
        } while (!users.equals(List.of("ann", "bob")) && System.nanoTime() < deadline);
        assertEquals(List.of("ann", "bob"), users);
        JsonObject page = ApiClient.json(apiB.get("api/rooms/" + room + "/messages"));
        assertEquals(List.of("from a"), page.getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                .map(m -> m.getString("msg")).toList());

        // a server with nobody in the room reads it from Redis
        ApiClient apiC = ApiClient.forChat(server().chatUri(), KEY);
        assertEquals(List.of("ann", "bob"), TestClient.strings(ApiClient.json(apiC.get("api/rooms/" + room + "/presence")), "users"));
        JsonObject fromRedis = ApiClient.json(apiC.get("api/rooms/" + room + "/messages"));
        assertEquals(page.getString("epoch"), fromRedis.getString("epoch"));
        assertEquals(page.getJsonArray("messages"), fromRedis.getJsonArray("messages"));
        assertEquals(404, apiC.get("api/rooms/never-" + room + "/messages").statusCode());

        // a deletion asked of a server without the room, then of one with it: the cluster's log
        long id = page.getJsonArray("messages").getJsonObject(0).getJsonNumber("id").longValue();
        HttpResponse<String> deleted = apiC.send("DELETE", "api/rooms/" + room + "/messages/" + id, null);
        assertEquals(200, deleted.statusCode(), deleted::body);
        assertEquals(id + 1, ApiClient.json(deleted).getJsonNumber("id").longValue());
        assertEquals(404, apiB.send("DELETE", "api/rooms/" + room + "/messages/" + id, null).statusCode(), "already deleted");
        JsonObject afterB = null;
        for (int i = 0; i < 100 && (afterB == null || !afterB.containsKey("deleted")); i++) {
            afterB = ApiClient.json(apiB.get("api/rooms/" + room + "/messages")).getJsonArray("messages").getJsonObject(0);
            Thread.sleep(20); // server B's copy takes the entry from its channel
        }
        assertTrue(afterB.getBoolean("deleted"), afterB::toString);
        onA.say("second");
        long second = onA.nextChat().getJsonNumber("id").longValue();
        assertEquals(200, apiB.send("DELETE", "api/rooms/" + room + "/messages/" + second, null).statusCode());
        assertEquals(404, apiC.get("api/rooms/never-" + room + "/presence").statusCode());
    }


    @Test
    void moderationOnAServerWithoutTheRoomActsOnTheOther() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient troll = clients.join(b.chatUri(), "troll");
        ApiClient apiA = ApiClient.forChat(a.chatUri(), KEY);
        HttpResponse<String> muted = apiA.post("api/rooms/" + room + "/moderation",
                "{\"action\":\"mute\",\"user\":\"troll\",\"seconds\":600}");
        assertEquals(200, muted.statusCode(), muted::body);
        troll.say("still here"); // refused once the entry reached B
        long deadline = System.nanoTime() + 10_000_000_000L;
        JsonObject frame = troll.next();
        while (!"error".equals(frame.getString("type", null)) && System.nanoTime() < deadline) {
            if ("chat".equals(frame.getString("type", null))) { // said before the mute reached B: try again
                troll.say("still here");
            }
            frame = troll.next();
        }
        assertEquals("muted", frame.getString("code"), frame::toString);
        HttpResponse<String> refused = apiA.post("api/rooms/" + room + "/messages",
                "{\"user\":\"troll\",\"msg\":\"hi\",\"as\":\"claimed\"}");
        assertEquals(403, refused.statusCode(), refused::body);
        assertEquals("muted", ApiClient.json(refused).getString("error"));

        HttpResponse<String> banned = ApiClient.forChat(b.chatUri(), KEY).post("api/rooms/" + room + "/moderation",
                "{\"action\":\"ban\",\"user\":\"troll\",\"reason\":\"spam\"}");
        assertEquals(200, banned.statusCode(), banned::body);
        assertTrue(ApiClient.json(banned).isNull("until"), "until lifted");
        assertTrue(ApiClient.json(banned).getJsonNumber("id").longValue() > ApiClient.json(muted).getJsonNumber("id").longValue(),
                "one log: the ban after the mute");
        assertEquals("banned", troll.skipTo("error").getString("code"));
        troll.expectClose(1008);
    }

    @Test
    void aDisconnectAskedOfOneServerClosesTheNamesConnectionsOnEveryServer() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient onA = clients.join(a.chatUri(), "leaver");
        TestClient onB = clients.join(b.chatUri(), "leaver");
        TestClient stayer = clients.join(b.chatUri(), "stayer");
        HttpResponse<String> closed = ApiClient.forChat(a.chatUri(), KEY)
                .post("api/users/leaver/disconnect", "{\"reason\":\"account closed\"}");
        assertEquals(200, closed.statusCode(), closed::body);
        assertEquals(2, ApiClient.json(closed).getInt("closed"), "one connection on each server, both counted");
        for (TestClient client : List.of(onA, onB)) {
            JsonObject error = client.skipTo("error");
            assertEquals("kicked", error.getString("code"));
            assertEquals("account closed", error.getString("msg"));
            client.expectClose(1008);
        }
        assertTrue(stayer.isOpen(), "another name on the same server stays");
        HttpResponse<String> none = ApiClient.forChat(b.chatUri(), KEY).post("api/users/leaver/disconnect", "{}");
        assertEquals(0, ApiClient.json(none).getInt("closed"), none::body);
    }

    @Test
    void withRedisDownNothingIsPostedAndTheAnswerIs503() throws Exception {
        EmbeddedServer a = server();
        ApiClient api = ApiClient.forChat(a.chatUri(), KEY);
        assertEquals(201, api.post("api/rooms/" + room + "/messages", post("bot", "before")).statusCode());
        chats.redis().stop();
        long deadline = System.nanoTime() + 15_000_000_000L;
        HttpResponse<String> down;
        do {
            down = api.post("api/rooms/" + room + "/messages", post("bot", "while down"));
        } while (down.statusCode() == 201 && System.nanoTime() < deadline);
        assertEquals(503, down.statusCode(), down::body);
        assertEquals("unavailable", ApiClient.json(down).getString("error"));
        assertEquals(503, api.get("api/rooms").statusCode());
    }
}

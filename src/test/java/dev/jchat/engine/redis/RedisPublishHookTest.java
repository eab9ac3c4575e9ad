package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jchat.ApiClient;
import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import dev.jchat.hook.HookReceiver;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The publish hook with two chat servers on one real redis-server: what the hook decides on one
 * server is what the other's clients see, in the order the messages came.
 */
class RedisPublishHookTest {

    private static final String KEY = "k3y-for-the-redis-hook-tests-0123456789";
    private static final HookReceiver HOOK = HookReceiver.start();

    @RegisterExtension
    final RedisChats chats = RedisChats.withRedis();
    private final RoomClients clients = chats.clients;
    private final String room = clients.room;

    @BeforeEach
    void forgetEarlierRequests() {
        HOOK.clear();
    }

    @AfterAll
    static void stopHook() {
        HOOK.close();
    }

    private EmbeddedServer server(int timeoutMs, ChatConfig.HookFailure failure) throws Exception {
        ChatConfig config = RedisChats.config(chats.redis().url(), 3).withPublishHook(HOOK.url(), timeoutMs)
                .withPublishHookFailure(failure);
        return chats.start(config.withSecurity(config.security().withApiKey(KEY)));
    }

    private EmbeddedServer server() throws Exception {
        return server(1_000, ChatConfig.HookFailure.ALLOW);
    }

    private static long id(JsonObject frame) {
        return frame.getJsonNumber("id").longValue();
    }

    @Test
    void whatTheHookDecidesOnOneServerIsWhatTheOthersClientsSee() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient ann = clients.join(a.chatUri(), "ann");
        TestClient bea = clients.join(b.chatUri(), "bea");
        ann.say("plain words");
        assertEquals("plain words", bea.nextChat().getString("msg"));
        ann.say("replace these words");
        assertEquals("REPLACED these words", bea.nextChat().getString("msg"));
        ann.say("reject these words");
        JsonObject error = ann.skipTo("error");
        assertEquals("rejected", error.getString("code"), error::toString);
        assertEquals("not here, please", error.getString("reason"));
        bea.say("after it");
        assertEquals("after it", bea.nextChat().getString("msg"), "the rejected message reached no server");
    }

    @Test
    void aRoomsMessagesKeepTheirOrderOnEveryServer() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient ann = clients.join(a.chatUri(), "ann");
        TestClient amy = clients.join(a.chatUri(), "amy");
        TestClient bea = clients.join(b.chatUri(), "bea");
        ann.say("slow first");
        assertEquals("slow first", HOOK.next().getString("msg")); // in the room's lane before the next comes
        amy.say("quick second");
        JsonObject first = bea.nextChat();
        JsonObject second = bea.nextChat();
        assertEquals(List.of("slow first", "quick second"), List.of(first.getString("msg"), second.getString("msg")));
        assertEquals(id(first) + 1, id(second));
    }

    @Test
    void anApiPostAndAnEditGoThroughTheHookOfTheServerAsked() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient ann = clients.connect(a.chatUri(), "&user=ann&v=3");
        TestClient bea = clients.connect(b.chatUri(), "&user=bea&v=3");
        ann.welcome();
        bea.welcome();
        ApiClient api = ApiClient.forChat(b.chatUri(), KEY);
        HttpResponse<String> posted = api.post("api/rooms/" + room + "/messages",
                "{\"user\":\"shop-bot\",\"msg\":\"replace order shipped\"}");
        assertEquals(201, posted.statusCode(), posted::body);
        JsonObject chat = ann.nextChat();
        assertEquals("REPLACED order shipped", chat.getString("msg"));
        assertEquals(id(ApiClient.json(posted)), id(chat));
        HttpResponse<String> rejected = api.post("api/rooms/" + room + "/messages",
                "{\"user\":\"shop-bot\",\"msg\":\"reject this\"}");
        assertEquals(422, rejected.statusCode(), rejected::body);
        assertEquals("not here, please", ApiClient.json(rejected).getString("message"));

        ann.say("my first version");
        long mine = id(ann.nextChat());
        ann.send(Json.createObjectBuilder().add("type", "edit").add("id", mine).add("msg", "replace my second version")
                .build().toString());
        JsonObject edit = bea.skipTo("edit");
        assertEquals("REPLACED my second version", edit.getString("msg"));
        assertEquals(mine, edit.getJsonNumber("target").longValue());
    }

    @Test
    void noAnswerInTimeIsRejectedWhenFailuresReject() throws Exception {
        EmbeddedServer a = server(300, ChatConfig.HookFailure.REJECT);
        EmbeddedServer b = server();
        TestClient ann = clients.join(a.chatUri(), "ann");
        TestClient bea = clients.join(b.chatUri(), "bea");
        ann.say("silent please");
        assertEquals("rejected", ann.skipTo("error").getString("code"));
        bea.say("after it");
        assertEquals("after it", bea.nextChat().getString("msg"), "the message that timed out reached no server");
    }
}

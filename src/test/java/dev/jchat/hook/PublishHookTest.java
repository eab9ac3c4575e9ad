package dev.jchat.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.ApiClient;
import dev.jchat.LogLines;
import dev.jchat.OpsClient;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The publish hook (docs/API.md) on the embedded launcher with rooms in memory: a real hook (the
 * JDK's HTTP server) and real clients, one server whose failures allow and one whose failures
 * reject.
 */
class PublishHookTest {

    static final String KEY = "k3y-for-the-hook-tests-0123456789-abcdef";
    static final HookReceiver HOOK = HookReceiver.start();

    /** A chat with the hook, rate limits off, the API on. */
    static ChatConfig config(String url, int timeoutMs, ChatConfig.HookFailure failure) {
        return ChatConfig.defaults().withHost("127.0.0.1").withPublishHook(url, timeoutMs).withPublishHookFailure(failure)
                .withSecurity(ChatConfig.Security.defaults().withRate(0, 0).withApiKey(KEY));
    }

    @RegisterExtension
    static final ServerExtension ALLOWING = ServerExtension.embedded(config(HOOK.url(), 1_000, ChatConfig.HookFailure.ALLOW));

    @RegisterExtension
    static final ServerExtension REJECTING = ServerExtension.embedded(config(HOOK.url(), 300, ChatConfig.HookFailure.REJECT));

    private final List<TestClient> clients = new ArrayList<>();

    @AfterAll
    static void stopHook() {
        HOOK.close();
    }

    @BeforeEach
    void forgetEarlierRequests() {
        HOOK.clear();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(TestClient::close);
    }

    private TestClient join(ServerExtension server, String room, String user, boolean v3) {
        TestClient client = TestClient.connect(URI.create(server.chatUri() + "?room=" + room + "&user=" + user
                + (v3 ? "&v=3" : "")));
        clients.add(client);
        client.welcome();
        return client;
    }

    private TestClient join(ServerExtension server, String room, String user) {
        return join(server, room, user, false);
    }

    private static long id(JsonObject frame) {
        return frame.getJsonNumber("id").longValue();
    }

    @Test
    void anAllowedMessageIsPublishedAsSentAndTheHookIsToldRoomUserAndText() {
        TestClient ann = join(ALLOWING, "allowed", "ann");
        TestClient bob = join(ALLOWING, "allowed", "bob");
        ann.say("hello there");
        JsonObject request = HOOK.next();
        assertEquals("allowed", request.getString("room"));
        assertEquals("ann", request.getString("user"));
        assertEquals("hello there", request.getString("msg"));
        assertEquals(JsonValue.NULL, request.get("edit"), request::toString);
        assertEquals("hello there", bob.nextChat().getString("msg"));
        assertEquals("hello there", ann.nextChat().getString("msg"));
    }

    @Test
    void aReplacedMessageIsPublishedWithTheHooksText() {
        TestClient ann = join(ALLOWING, "replaced", "ann");
        TestClient bob = join(ALLOWING, "replaced", "bob");
        ann.say("replace my words");
        assertEquals("REPLACED my words", bob.nextChat().getString("msg"));
        assertEquals("REPLACED my words", ann.nextChat().getString("msg"));
    }

    @Test
    void aRejectedMessageGoesNowhereAndItsSenderAloneIsToldWhy() {
        TestClient ann = join(ALLOWING, "rejected", "ann", true);
        TestClient bob = join(ALLOWING, "rejected", "bob");
        ann.send("{\"type\":\"chat\",\"room\":\"rejected\",\"msg\":\"reject this one\"}");
        JsonObject error = ann.skipTo("error");
        assertEquals("rejected", error.getString("code"), error::toString);
        assertEquals("not here, please", error.getString("reason"), error::toString);
        assertEquals("rejected", error.getString("room"), "version 3: the room it was about");
        assertTrue(ann.isOpen());
        bob.say("after it");
        assertEquals("after it", bob.nextChat().getString("msg"), "the rejected message reached nobody");
        assertEquals("after it", ann.nextChat().getString("msg"));
    }

    @Test
    void aReplacementTheMessageRulesRefuseIsAFailure() throws InterruptedException {
        OpsClient ops = OpsClient.forChat(ALLOWING.chatUri(), null);
        double before = OpsClient.value(ops.scrape(), "chat_hook_outcomes_total{outcome=\"failure-bad-answer\"}");
        TestClient ann = join(ALLOWING, "blank", "ann");
        ann.say("blank me");
        assertEquals("blank me", ann.nextChat().getString("msg"), "failures allowed: as sent");
        Map<String, Double> after = ops.scrapeUntil(samples -> OpsClient.value(samples,
                "chat_hook_outcomes_total{outcome=\"failure-bad-answer\"}") > before);
        assertEquals(before + 1, OpsClient.value(after, "chat_hook_outcomes_total{outcome=\"failure-bad-answer\"}"));

        TestClient cy = join(REJECTING, "blank", "cyd");
        cy.say("blank me");
        assertEquals("rejected", cy.skipTo("error").getString("code"), "failures rejected");
    }

    @Test
    void noAnswerInTimeIsPublishedWhenFailuresAllow() {
        TestClient ann = join(ALLOWING, "late", "ann");
        TestClient bob = join(ALLOWING, "late", "bob");
        ann.say("silent please");
        assertEquals("silent please", bob.nextChat().getString("msg"));
    }

    @Test
    void noAnswerInTimeIsRejectedWhenFailuresReject() {
        TestClient ann = join(REJECTING, "late", "ann");
        TestClient bob = join(REJECTING, "late", "bob");
        ann.say("silent please");
        JsonObject error = ann.skipTo("error");
        assertEquals("rejected", error.getString("code"), error::toString);
        bob.say("after it");
        assertEquals("after it", bob.nextChat().getString("msg"), "the message that timed out reached nobody");
    }

    @Test
    void anAnswerThatIsNoneOfTheThreeIsAFailure() {
        TestClient ann = join(ALLOWING, "bad", "ann");
        ann.say("broken hook");
        assertEquals("broken hook", ann.nextChat().getString("msg"));
        ann.say("nonsense answer");
        assertEquals("nonsense answer", ann.nextChat().getString("msg"));

        TestClient cy = join(REJECTING, "bad", "cyd");
        cy.say("broken hook");
        assertEquals("rejected", cy.skipTo("error").getString("code"));
        cy.say("nonsense answer");
        assertEquals("rejected", cy.skipTo("error").getString("code"));
        cy.say("fine");
        assertEquals("fine", cy.nextChat().getString("msg"));
    }

    @Test
    void aRoomsMessagesKeepTheirOrderWhenTheHookAnswersTheFirstLast() {
        TestClient ann = join(ALLOWING, "ordered", "ann");
        TestClient bob = join(ALLOWING, "ordered", "bob");
        ann.say("slow first");
        assertEquals("slow first", HOOK.next().getString("msg")); // in the room's lane before the next comes
        bob.say("quick second");
        JsonObject first = ann.nextChat();
        JsonObject second = ann.nextChat();
        assertEquals(List.of("slow first", "quick second"), List.of(first.getString("msg"), second.getString("msg")));
        assertEquals(id(first) + 1, id(second));
        assertEquals("slow first", bob.nextChat().getString("msg"));
        assertEquals("quick second", bob.nextChat().getString("msg"));
    }

    @Test
    void whatAConnectionSentJustBeforeItClosedOrUnsubscribedIsStillPublished() {
        TestClient bob = join(ALLOWING, "leaving", "bob");
        TestClient ann = join(ALLOWING, "leaving", "ann", true);
        ann.say("slow goodbye");
        assertEquals("slow goodbye", HOOK.next().getString("msg"));
        ann.send("{\"type\":\"unsubscribe\",\"room\":\"leaving\"}");
        assertEquals("slow goodbye", ann.skipTo("chat").getString("msg"), "before its unsubscribed");
        ann.next("unsubscribed");
        TestClient cyd = join(ALLOWING, "leaving", "cyd");
        cyd.say("slow farewell");
        assertEquals("slow farewell", HOOK.next().getString("msg"));
        cyd.close();
        assertEquals("slow goodbye", bob.nextChat().getString("msg"));
        assertEquals("slow farewell", bob.nextChat().getString("msg"));
    }

    @Test
    void anotherRoomDoesNotWaitForASlowAnswer() {
        TestClient ann = join(ALLOWING, "waiting", "ann");
        TestClient bob = join(ALLOWING, "elsewhere", "bob");
        ann.say("slow one");
        assertEquals("slow one", HOOK.next().getString("msg"));
        bob.say("quick one");
        assertEquals("quick one", bob.nextChat().getString("msg"));
        assertTrue(ann.isOpen());
        assertEquals("slow one", ann.nextChat().getString("msg"));
    }

    @Test
    void anEditGoesThroughTheHookAndADeletionAfterItWaitsItsTurn() {
        TestClient ann = join(ALLOWING, "edits", "ann", true);
        TestClient bob = join(ALLOWING, "edits", "bob", true);
        ann.say("first version");
        long id = id(ann.nextChat());
        bob.nextChat();
        HOOK.clear();
        ann.send(Json.createObjectBuilder().add("type", "edit").add("id", id).add("msg", "replace second version")
                .build().toString());
        JsonObject request = HOOK.next();
        assertEquals(id, request.getJsonNumber("edit").longValue(), request::toString);
        assertEquals("replace second version", request.getString("msg"));
        JsonObject edit = bob.skipTo("edit");
        assertEquals("REPLACED second version", edit.getString("msg"));
        assertEquals(id, edit.getJsonNumber("target").longValue());

        ann.send(Json.createObjectBuilder().add("type", "edit").add("id", id).add("msg", "reject it").build().toString());
        JsonObject error = ann.skipTo("error");
        assertEquals("rejected", error.getString("code"), error::toString);

        // a slow edit, then a deletion sent right after it: the edit first, as they were sent
        ann.send(Json.createObjectBuilder().add("type", "edit").add("id", id).add("msg", "slow third version")
                .build().toString());
        ann.send("{\"type\":\"delete\",\"id\":" + id + "}");
        assertEquals("slow third version", bob.skipTo("edit").getString("msg"));
        assertEquals(id, bob.skipTo("delete").getJsonNumber("target").longValue());
    }

    @Test
    void anApiPostGoesThroughTheHook() {
        TestClient bob = join(ALLOWING, "api", "bob");
        ApiClient api = ApiClient.forChat(ALLOWING.chatUri(), KEY);
        HttpResponse<String> posted = api.post("api/rooms/api/messages", "{\"user\":\"shop-bot\",\"msg\":\"replace order shipped\"}");
        assertEquals(201, posted.statusCode(), posted::body);
        JsonObject chat = bob.nextChat();
        assertEquals("REPLACED order shipped", chat.getString("msg"));
        assertEquals(ApiClient.json(posted).getJsonNumber("id").longValue(), id(chat));

        HttpResponse<String> rejected = api.post("api/rooms/api/messages", "{\"user\":\"shop-bot\",\"msg\":\"reject this\"}");
        assertEquals(422, rejected.statusCode(), rejected::body);
        assertEquals("rejected", ApiClient.json(rejected).getString("error"));
        assertEquals("not here, please", ApiClient.json(rejected).getString("message"));
        bob.say("after it");
        assertEquals("after it", bob.nextChat().getString("msg"), "the rejected post reached nobody");
    }

    @Test
    void apiPostsWaitingForTheHookHoldNoThreadOfTheServer() throws Exception {
        // more posts than the launcher has worker threads, each held by the hook past the chat's timeout (1 s)
        int posts = 64;
        ApiClient api = ApiClient.forChat(ALLOWING.chatUri(), KEY);
        java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(posts);
        try {
            List<java.util.concurrent.Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < posts; i++) {
                String room = "held-" + i;
                statuses.add(senders.submit(() -> {
                    int status = api.post("api/rooms/" + room + "/messages", "{\"user\":\"bot\",\"msg\":\"silent " + room + "\"}")
                            .statusCode();
                    answered.incrementAndGet();
                    return status;
                }));
            }
            for (int i = 0; i < posts; i++) {
                HOOK.next();
            }
            assertEquals(0, answered.get(), "every post reached the hook while none was answered: none waited for a thread");
            for (java.util.concurrent.Future<Integer> status : statuses) {
                assertEquals(201, status.get(), "allowed when the hook does not answer in time");
            }
        } finally {
            senders.shutdownNow();
        }
    }

    @Test
    void theHooksOutcomesAndTheApisCallsAreCounted() throws InterruptedException {
        OpsClient ops = OpsClient.forChat(REJECTING.chatUri(), null);
        String rejects = "chat_hook_outcomes_total{outcome=\"reject\"}";
        String posts = "chat_api_calls_total{route=\"POST /api/rooms/{room}/messages\",status=\"422\"}";
        Map<String, Double> before = ops.scrape();
        HttpResponse<String> rejected = ApiClient.forChat(REJECTING.chatUri(), KEY)
                .post("api/rooms/counted/messages", "{\"user\":\"shop-bot\",\"msg\":\"reject this\"}");
        assertEquals(422, rejected.statusCode(), rejected::body);
        Map<String, Double> after = ops.scrapeUntil(samples -> OpsClient.value(samples, rejects) > OpsClient.value(before, rejects));
        assertEquals(OpsClient.value(before, rejects) + 1, OpsClient.value(after, rejects));
        assertEquals(OpsClient.value(before, posts) + 1, OpsClient.value(after, posts));
        assertTrue(OpsClient.value(after, "chat_hook_seconds_count") >= 1, "the hook's latency is timed");
    }

    @Test
    void aSendersRateLimitHoldsThroughTheHook() throws Exception {
        ChatConfig limited = config(HOOK.url(), 1_000, ChatConfig.HookFailure.ALLOW);
        try (EmbeddedServer server = EmbeddedServer.start(limited.withPort(0)
                .withSecurity(limited.security().withRate(1, 2)))) {
            TestClient ann = TestClient.connect(URI.create(server.chatUri() + "?room=limited&user=ann"));
            clients.add(ann);
            ann.welcome();
            for (String msg : List.of("slow one", "two", "three", "four", "five")) {
                ann.say(msg);
            }
            List<String> chats = new ArrayList<>();
            int limitedErrors = 0;
            while (chats.size() + limitedErrors < 5) {
                JsonObject frame = ann.next();
                if (frame.getString("type").equals("chat")) {
                    chats.add(frame.getString("msg"));
                } else {
                    assertEquals("rate-limited", frame.getString("code"), frame::toString);
                    limitedErrors++;
                }
            }
            assertEquals(List.of("slow one", "two"), chats, "the burst of 2, in the order sent");
            assertEquals(3, limitedErrors);
        }
    }

    @Test
    void anUnreachableHookIsAFailureLoggedWithoutTheMessagesText() throws Exception {
        int closed;
        try (ServerSocket free = new ServerSocket(0)) {
            closed = free.getLocalPort(); // nobody listens there once it is closed
        }
        try (LogLines log = new LogLines("dev.jchat");
                EmbeddedServer server = EmbeddedServer.start(config("http://127.0.0.1:" + closed + "/hook", 1_000,
                        ChatConfig.HookFailure.REJECT).withPort(0))) {
            TestClient ann = TestClient.connect(URI.create(server.chatUri() + "?room=gone&user=ann"));
            clients.add(ann);
            ann.welcome();
            ann.say("my secret words");
            assertEquals("rejected", ann.skipTo("error").getString("code"));
            assertTrue(log.text().contains("the publish hook failed (failure-unreachable)"), log::text);
            assertFalse(log.text().contains("secret words"), "never a message's text in the log");
            assertEquals(1.0, OpsClient.value(OpsClient.forChat(server.chatUri(), null).scrape(),
                    "chat_hook_outcomes_total{outcome=\"failure-unreachable\"}"));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (server.hub().publishing().waiting() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10); // its lane goes just after the error is queued
            }
            assertEquals(0, server.hub().publishing().waiting(), "a room with nothing waiting holds no lane");
        }
    }
}

package dev.jchat.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Protocol version 3's "one connection, many rooms" (docs/PROTOCOL.md), on top of the whole
 * contract of versions 1 and 2: each runtime's contract class extends this one, so that both run
 * against the same server. Every test uses rooms of its own ({@link #room()} and rooms named after it).
 */
public abstract class ManyRoomsContract extends ChatContract {

    /** A version-3 connection of {@code user} opened in {@code first} (empty: in no room). */
    protected TestClient v3(String user, String first) {
        return connect("v=3&user=" + q(user) + "&room=" + q(first));
    }

    private String other(String suffix) {
        return room() + "-" + suffix;
    }

    private static void subscribe(TestClient client, String room) {
        client.send("{\"type\":\"subscribe\",\"room\":\"" + room + "\"}");
    }

    /** The next frame, which must be of {@code type} and about {@code room}. */
    private static JsonObject next(TestClient client, String type, String room) {
        JsonObject frame = client.next(type);
        assertEquals(room, frame.getString("room", null), () -> "about another room: " + frame);
        return frame;
    }

    @Test
    void aVersion3ConnectionOpenedInNoRoomIsWelcomedWithItsNameAlone() {
        TestClient alice = v3("alice", "");
        JsonObject welcome = alice.welcome();
        assertEquals("alice", welcome.getString("user"));
        for (String roomField : List.of("room", "users", "lastId", "epoch", "recovered")) {
            assertFalse(welcome.containsKey(roomField), () -> "a welcome in no room has no " + roomField + ": " + welcome);
        }
        alice.send("{\"type\":\"chat\",\"msg\":\"to nowhere\"}");
        assertFalse(alice.expectError("not-subscribed").containsKey("room"), "no room was named");
        subscribe(alice, room());
        assertEquals(List.of("alice"), TestClient.strings(next(alice, "welcome", room()), "users"));
    }

    @Test
    void subscribeAnswersTheRoomsWelcomeThenItsHistoryThenItsLiveFrames() {
        TestClient bob = connect("user=bob&room=" + other("b"));
        bob.welcome();
        bob.say("one");
        bob.say("two");
        bob.nextChat();
        bob.nextChat();
        TestClient alice = v3("alice", room());
        next(alice, "welcome", room());
        alice.send("{\"type\":\"subscribe\",\"room\":\"" + other("b") + "\"}");
        JsonObject welcome = next(alice, "welcome", other("b"));
        assertEquals(List.of("alice", "bob"), TestClient.strings(welcome, "users"));
        assertEquals(2, welcome.getJsonNumber("lastId").longValue());
        assertTrue(welcome.getBoolean("recovered"));
        assertEquals("one", next(alice, "chat", other("b")).getString("msg"));
        assertEquals("two", next(alice, "chat", other("b")).getString("msg"));
        JsonObject join = next(bob, "join", other("b"));
        assertEquals("alice", join.getString("user"));
        bob.say("three");
        assertEquals("three", next(alice, "chat", other("b")).getString("msg"));
        TestClient carol = join("carol");
        assertEquals("carol", next(alice, "join", room()).getString("user"));
        carol.say("in the first room");
        assertEquals("in the first room", next(alice, "chat", room()).getString("msg"));
    }

    @Test
    void aSubscribeWithSinceAndEpochReplaysWhatCameAfter() {
        TestClient bob = connect("user=bob&room=" + other("s"));
        JsonObject first = bob.welcome();
        for (String text : List.of("a", "b", "c")) {
            bob.say(text);
            bob.nextChat();
        }
        TestClient alice = v3("alice", "");
        alice.welcome();
        alice.send("{\"type\":\"subscribe\",\"room\":\"" + other("s") + "\",\"since\":1,\"epoch\":\""
                + first.getString("epoch") + "\"}");
        JsonObject welcome = next(alice, "welcome", other("s"));
        assertTrue(welcome.getBoolean("recovered"));
        assertEquals(List.of(2L, 3L), List.of(next(alice, "chat", other("s")).getJsonNumber("id").longValue(),
                next(alice, "chat", other("s")).getJsonNumber("id").longValue()));
        alice.send("{\"type\":\"subscribe\",\"room\":\"" + other("t") + "\",\"since\":7,\"epoch\":\"nosuchepoch\"}");
        assertFalse(next(alice, "welcome", other("t")).getBoolean("recovered"), "another epoch cannot be recovered");
    }

    @Test
    void framesNameTheirRoomAndWithoutOneActOnTheFirstRoom() {
        TestClient alice = v3("alice", room());
        next(alice, "welcome", room());
        subscribe(alice, other("x"));
        next(alice, "welcome", other("x"));
        TestClient watcherHere = join("watcher");
        next(alice, "join", room());
        TestClient watcherThere = connect("user=watcher&room=" + other("x"));
        watcherThere.welcome();
        next(alice, "join", other("x"));

        alice.send("{\"type\":\"chat\",\"room\":\"" + other("x") + "\",\"msg\":\"there\"}");
        assertEquals("there", next(watcherThere, "chat", other("x")).getString("msg"));
        assertEquals("there", next(alice, "chat", other("x")).getString("msg"));
        alice.send("{\"type\":\"chat\",\"msg\":\"here\"}");
        assertEquals("here", next(watcherHere, "chat", room()).getString("msg"));
        assertEquals("here", next(alice, "chat", room()).getString("msg"));
        alice.send("{\"type\":\"typing\",\"room\":\"" + other("x") + "\"}");
        assertEquals("alice", next(watcherThere, "typing", other("x")).getString("user"));
        alice.send("{\"type\":\"history\",\"room\":\"" + other("x") + "\"}");
        JsonObject history = next(alice, "history", other("x"));
        assertEquals("there", history.getJsonArray("messages").getJsonObject(0).getString("msg"));
        watcherHere.assertNothingPending();
    }

    @Test
    void aFrameAboutARoomTheConnectionIsNotInIsRefusedAndTheConnectionStaysOpen() {
        TestClient alice = v3("alice", room());
        next(alice, "welcome", room());
        for (String frame : List.of("{\"type\":\"chat\",\"room\":\"%s\",\"msg\":\"hi\"}", "{\"type\":\"typing\",\"room\":\"%s\"}",
                "{\"type\":\"history\",\"room\":\"%s\"}", "{\"type\":\"unsubscribe\",\"room\":\"%s\"}")) {
            alice.send(frame.formatted(other("elsewhere")));
            assertEquals(other("elsewhere"), alice.expectError("not-subscribed").getString("room"));
        }
        alice.say("still here");
        assertEquals("still here", next(alice, "chat", room()).getString("msg"));
    }

    @Test
    void subscribingToARoomTheConnectionIsInIsRefused() {
        TestClient alice = v3("alice", room());
        next(alice, "welcome", room());
        subscribe(alice, room());
        assertEquals(room(), alice.expectError("already-subscribed").getString("room"));
        subscribe(alice, other("y"));
        next(alice, "welcome", other("y"));
        subscribe(alice, other("y"));
        assertEquals(other("y"), alice.expectError("already-subscribed").getString("room"));
        for (String bad : List.of("", "no spaces", "x".repeat(65))) {
            subscribe(alice, bad);
            assertEquals(bad, alice.expectError("invalid-message").getString("room"));
        }
        alice.send("{\"type\":\"subscribe\"}");
        alice.expectError("invalid-message");
        alice.say("still open");
        assertEquals("still open", next(alice, "chat", room()).getString("msg"));
    }

    @Test
    void unsubscribeAnswersUnsubscribedAndNothingOfTheRoomFollows() {
        TestClient alice = v3("alice", room());
        next(alice, "welcome", room());
        subscribe(alice, other("u"));
        next(alice, "welcome", other("u"));
        TestClient bob = connect("user=bob&room=" + other("u"));
        bob.welcome();
        next(alice, "join", other("u"));
        alice.send("{\"type\":\"unsubscribe\",\"room\":\"" + other("u") + "\"}");
        next(alice, "unsubscribed", other("u"));
        JsonObject leave = next(bob, "leave", other("u"));
        assertEquals("alice", leave.getString("user"));
        bob.say("after she left");
        bob.nextChat();
        alice.say("in the first room");
        assertEquals("in the first room", next(alice, "chat", room()).getString("msg"), "nothing of the room left came");
        alice.send("{\"type\":\"chat\",\"room\":\"" + other("u") + "\",\"msg\":\"x\"}");
        alice.expectError("not-subscribed");
        subscribe(alice, other("u"));
        assertEquals(1, next(alice, "welcome", other("u")).getJsonNumber("lastId").longValue(), "back in it");
    }

    @Test
    void aNameIsOnlineInARoomWhileAnyOfItsConnectionsIsInIt() {
        TestClient watcher = join("watcher");
        TestClient one = v3("alice", room());
        next(one, "welcome", room());
        assertEquals("alice", next(watcher, "join", room()).getString("user"));
        TestClient two = v3("alice", "");
        two.welcome();
        subscribe(two, room());
        next(two, "welcome", room());
        one.send("{\"type\":\"unsubscribe\",\"room\":\"" + room() + "\"}");
        next(one, "unsubscribed", room());
        watcher.say("no leave before this");
        JsonObject chat = watcher.next();
        assertEquals("chat", chat.getString("type"), () -> "her other connection is still in the room: " + chat);
        two.close();
        JsonObject leave = next(watcher, "leave", room());
        assertEquals("alice", leave.getString("user"));
        assertEquals(1, leave.getInt("online"));
    }

    @Test
    void directConversationsAreRoomsOnTheSameConnection() {
        String amy = "amy-" + room().substring(2);
        String ben = "ben-" + room().substring(2);
        TestClient amyHome = v3(amy, room());
        next(amyHome, "welcome", room());
        TestClient benHome = v3(ben, room());
        next(benHome, "welcome", room());
        next(amyHome, "join", room());
        String direct = amy.compareTo(ben) < 0 ? "@" + amy + "+" + ben : "@" + ben + "+" + amy;
        amyHome.send("{\"type\":\"subscribe\",\"room\":\"@" + ben + "\"}");
        JsonObject welcome = next(amyHome, "welcome", direct);
        assertEquals(List.of(amy), TestClient.strings(welcome, "users"));
        amyHome.send("{\"type\":\"chat\",\"room\":\"@" + ben + "\",\"msg\":\"psst\"}");
        assertEquals("psst", next(amyHome, "chat", direct).getString("msg"));
        List<JsonObject> seen = new ArrayList<>();
        JsonObject frame;
        do {
            frame = benHome.next();
            seen.add(frame);
        } while (!frame.getString("type").equals("notice"));
        assertEquals(direct, frame.getString("room"), () -> "a notice for the conversation: " + seen);
        assertEquals("psst", frame.getString("msg"));
        benHome.send("{\"type\":\"subscribe\",\"room\":\"" + direct + "\"}");
        assertEquals(List.of(amy, ben), TestClient.strings(next(benHome, "welcome", direct), "users").stream().sorted().toList());
        assertEquals("psst", next(benHome, "chat", direct).getString("msg"));
        TestClient stranger = v3("stranger-" + room().substring(2), "");
        stranger.welcome();
        stranger.send("{\"type\":\"subscribe\",\"room\":\"" + direct + "\"}");
        assertEquals(direct, stranger.expectError("forbidden").getString("room"));
        stranger.send("{\"type\":\"subscribe\",\"room\":\"@nobody-" + room().substring(2) + "\"}");
        assertEquals("@nobody-" + room().substring(2), stranger.expectError("unknown-user").getString("room"));
        stranger.send("{\"type\":\"ping\"}");
        stranger.next("pong");
    }

    @Test
    void aConnectionIsInAtMostTheRoomsItMayBeIn() {
        int max = CONFIG.maxRoomsPerConnection();
        TestClient alice = v3("alice", room());
        next(alice, "welcome", room());
        for (int i = 1; i < max; i++) {
            subscribe(alice, other("m" + i));
            next(alice, "welcome", other("m" + i));
        }
        subscribe(alice, other("m" + max));
        assertEquals(other("m" + max), alice.expectError("too-many-rooms").getString("room"));
        alice.send("{\"type\":\"unsubscribe\",\"room\":\"" + other("m1") + "\"}");
        next(alice, "unsubscribed", other("m1"));
        subscribe(alice, other("m" + max));
        next(alice, "welcome", other("m" + max));
    }

    @Test
    void aFrameOverTheRateIsRefusedWithTheRoomItNamed() {
        TestClient alice = v3("alice", room());
        next(alice, "welcome", room());
        int frames = CONFIG.security().rateBurst() + 5;
        for (int i = 0; i < frames; i++) {
            alice.send("{\"type\":\"history\",\"room\":\"" + room() + "\"}");
        }
        int limited = 0;
        for (int i = 0; i < frames; i++) {
            JsonObject frame = alice.next();
            if (frame.getString("type").equals("error")) {
                assertEquals("rate-limited", frame.getString("code"));
                assertEquals(room(), frame.getString("room"), () -> "the room it named: " + frame);
                limited++;
            } else {
                assertEquals("history", frame.getString("type"));
            }
        }
        assertTrue(limited >= 4, "past the burst, frames are refused: " + limited);
    }

    @Test
    void versionsOneAndTwoKnowNothingOfSubscriptions() {
        TestClient old = join("old");
        subscribe(old, other("z"));
        old.expectError("invalid-message");
        old.send("{\"type\":\"chat\",\"room\":\"" + other("z") + "\",\"msg\":\"a room field is ignored\"}");
        assertEquals(room(), old.next("chat").getString("room"));
    }

    @Test
    void aConnectionWithoutANameOfItsOwnMayNotSubscribe() {
        TestClient tutorial = connect("v=3&room=" + room());
        tutorial.welcome();
        subscribe(tutorial, other("n"));
        assertEquals(other("n"), tutorial.expectError("invalid-user").getString("room"));
        tutorial.send("{\"user\":\"" + unheld("tut") + "\",\"msg\":\"named by my first message\"}");
        tutorial.nextChat();
        subscribe(tutorial, other("n"));
        assertEquals(other("n"), tutorial.expectError("invalid-user").getString("room"), "a name taken so holds nothing");
    }

    @Test
    void anOlderClientsErrorsNameNoRoom() {
        TestClient old = join("old");
        old.send("{\"type\":\"chat\",\"msg\":\"   \"}");
        assertFalse(old.expectError("empty-message").containsKey("room"));
        TestClient alice = v3("alice", room());
        next(alice, "welcome", room());
        alice.send("{\"type\":\"chat\",\"room\":\"" + room() + "\",\"msg\":\"   \"}");
        assertEquals(room(), alice.expectError("empty-message").getString("room"), "a version-3 client's error names the room");
    }

    @Test
    void anUnknownVersionIsRefused() {
        TestClient client = connect("v=4&user=alice&room=" + room());
        client.expectError("invalid-query");
        client.expectClose(1008);
    }
}

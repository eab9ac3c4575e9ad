package dev.jchat.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Protocol version 3's "room log" (docs/PROTOCOL.md): edits, deletions and reactions take ids of
 * the room's log, reach version-3 connections in order, and are replayed as the message is now;
 * versions 1 and 2 see chat messages only. Each runtime's contract class extends this one.
 */
public abstract class RoomLogContract extends ManyRoomsContract {

    private TestClient v3In(String user) {
        TestClient client = v3(user, room());
        client.welcome();
        return client;
    }

    /** The next frame that is not presence ({@code join}, {@code leave}, {@code typing}). */
    private static JsonObject nextEntry(TestClient client) {
        while (true) {
            JsonObject frame = client.next();
            if (!Set.of("join", "leave", "typing").contains(frame.getString("type"))) {
                return frame;
            }
        }
    }

    private static JsonObject nextEntry(TestClient client, String type) {
        JsonObject frame = nextEntry(client);
        assertEquals(type, frame.getString("type"), () -> "unexpected frame " + frame);
        return frame;
    }

    private static void edit(TestClient client, long id, String msg) {
        client.send(Json.createObjectBuilder().add("type", "edit").add("id", id).add("msg", msg).build().toString());
    }

    private static void delete(TestClient client, long id) {
        client.send("{\"type\":\"delete\",\"id\":" + id + "}");
    }

    private static void react(TestClient client, long id, String emoji, boolean on) {
        client.send(Json.createObjectBuilder().add("type", "react").add("id", id).add("emoji", emoji).add("on", on)
                .build().toString());
    }

    private static long id(JsonObject frame) {
        return frame.getJsonNumber("id").longValue();
    }

    /** Every frame up to and including the chat message {@code last}, skipping presence. */
    private static List<JsonObject> until(TestClient client, String last) {
        List<JsonObject> frames = new ArrayList<>();
        while (true) {
            JsonObject frame = nextEntry(client);
            frames.add(frame);
            if ("chat".equals(frame.getString("type")) && last.equals(frame.getString("msg", null))) {
                return frames;
            }
        }
    }

    @Test
    void anEditTakesTheNextIdReachesEveryoneInOrderAndIsReplayedAsTheTextNow() {
        TestClient alice = v3In("alice");
        TestClient bob = v3In("bob");
        TestClient old = join("oldtimer");
        alice.say("helo");
        long first = id(nextEntry(alice, "chat"));
        nextEntry(bob, "chat");
        nextEntry(old, "chat");
        edit(alice, first, "hello");
        for (TestClient client : List.of(alice, bob)) {
            JsonObject edit = nextEntry(client, "edit");
            assertEquals(first + 1, id(edit));
            assertEquals(first, edit.getJsonNumber("target").longValue());
            assertEquals("alice", edit.getString("user"));
            assertEquals("hello", edit.getString("msg"));
            assertEquals(room(), edit.getString("room"));
            assertTrue(edit.containsKey("dateTime"));
        }
        alice.say("after");
        assertEquals(first + 2, id(nextEntry(bob, "chat")));
        JsonObject next = nextEntry(old, "chat"); // version 2 sees no edit live, and ids that skip
        assertEquals("after", next.getString("msg"));
        assertEquals(first + 2, id(next));

        TestClient resumed = connect("v=3&user=carol&room=" + room() + "&since=0");
        assertTrue(resumed.welcome().getBoolean("recovered"));
        List<JsonObject> replay = until(resumed, "after");
        assertEquals(List.of("chat", "edit", "chat"), replay.stream().map(f -> f.getString("type")).toList());
        assertEquals("hello", replay.get(0).getString("msg"), "replayed as it is now");
        assertTrue(replay.get(0).containsKey("edited"));
        assertEquals(first + 1, id(replay.get(1)));

        TestClient older = connect("user=dave&room=" + room());
        older.welcome();
        List<JsonObject> history = until(older, "after");
        assertEquals(2, history.size());
        assertEquals("hello", history.get(0).getString("msg"));
        assertFalse(history.get(0).containsKey("edited"), "version 2 gets the text now and nothing more");
    }

    @Test
    void onlyItsAuthorEditsAMessageAndAnEditFollowsTheRulesOfAMessage() {
        TestClient alice = v3In("alice");
        TestClient bob = v3In("bob");
        alice.say("mine");
        long id = id(nextEntry(alice, "chat"));
        nextEntry(bob, "chat");
        edit(bob, id, "yours now");
        assertEquals(room(), bob.expectError("forbidden").getString("room"));
        edit(alice, id, "   ");
        alice.expectError("empty-message");
        edit(alice, id, "x".repeat(2001));
        alice.expectError("message-too-long");
        edit(alice, id + 1000, "nothing there");
        alice.expectError("not-found");
        alice.send("{\"type\":\"edit\",\"id\":\"" + id + "\",\"msg\":\"a\"}");
        alice.expectError("invalid-message");
        alice.send("{\"type\":\"edit\",\"msg\":\"no id\"}");
        alice.expectError("invalid-message");
        alice.send("{\"type\":\"edit\",\"id\":" + id + ",\"msg\":\"elsewhere\",\"room\":\"" + room() + "-x\"}");
        alice.expectError("not-subscribed");
        alice.say("still here");
        assertEquals("still here", nextEntry(bob, "chat").getString("msg"), "no refused edit reached anyone");
    }

    @Test
    void aDeletedMessageIsReplayedWithoutItsTextAndNeverToOlderClients() {
        TestClient alice = v3In("alice");
        TestClient bob = v3In("bob");
        alice.say("oops, my password");
        long id = id(nextEntry(alice, "chat"));
        nextEntry(bob, "chat");
        edit(alice, id, "oops, my other password");
        nextEntry(alice, "edit");
        nextEntry(bob, "edit");
        delete(bob, id);
        bob.expectError("forbidden");
        delete(alice, id);
        JsonObject deletion = nextEntry(bob, "delete");
        assertEquals(id, deletion.getJsonNumber("target").longValue());
        assertEquals("alice", deletion.getString("user"));
        nextEntry(alice, "delete");
        edit(alice, id, "back");
        alice.expectError("not-found");
        react(bob, id, "👍", true);
        bob.expectError("not-found");
        delete(alice, id);
        alice.expectError("not-found");
        alice.say("after");

        TestClient resumed = connect("v=3&user=carol&room=" + room() + "&since=0");
        resumed.welcome();
        List<JsonObject> replay = until(resumed, "after");
        assertEquals(List.of("chat", "delete", "chat"), replay.stream().map(f -> f.getString("type")).toList(),
                "its edits went with its text");
        JsonObject gone = replay.get(0);
        assertTrue(gone.getBoolean("deleted"));
        assertFalse(gone.containsKey("msg"));
        assertEquals("alice", gone.getString("user"));
        assertFalse(replay.toString().contains("password"), "no text of a deleted message comes back");

        TestClient fresh = connect("v=3&user=erin&room=" + room());
        fresh.welcome();
        JsonObject firstOfHistory = nextEntry(fresh, "chat");
        assertTrue(firstOfHistory.getBoolean("deleted"), "history after welcome: the message as it is now");
        assertEquals("after", nextEntry(fresh, "chat").getString("msg"));
        fresh.send("{\"type\":\"history\",\"limit\":10}");
        JsonObject page = fresh.next("history");
        assertTrue(page.getJsonArray("messages").getJsonObject(0).getBoolean("deleted"));
        assertFalse(page.toString().contains("password"));

        TestClient older = connect("user=dave&room=" + room());
        older.welcome();
        assertEquals("after", nextEntry(older, "chat").getString("msg"), "version 2 never sees a deleted message");
        older.send("{\"type\":\"history\",\"limit\":10}");
        JsonObject olderPage = older.next("history");
        assertEquals(1, olderPage.getJsonArray("messages").size());
    }

    @Test
    void reactionsAreEntriesSetOnceClearedOnceAndReplayedWithTheirNamesInOrder() {
        TestClient alice = v3In("alice");
        TestClient bob = v3In("bob");
        alice.say("vote");
        long id = id(nextEntry(alice, "chat"));
        nextEntry(bob, "chat");
        for (String bad : List.of("a", "", "7", " ", "👍".repeat(11), "👍 ")) {
            react(bob, id, bad, true);
            bob.expectError("invalid-message");
        }
        react(bob, id, "👍", true);
        JsonObject reaction = nextEntry(alice, "reaction");
        assertEquals(id, reaction.getJsonNumber("target").longValue());
        assertEquals("bob", reaction.getString("user"));
        assertEquals("👍", reaction.getString("emoji"));
        assertTrue(reaction.getBoolean("on"));
        nextEntry(bob, "reaction");
        react(bob, id, "👍", true);   // set already: no entry
        react(alice, id, "🎉", false); // not set: no entry
        react(alice, id, "👍", true);
        react(alice, id, "👩🏽‍💻", true); // a sequence with a skin tone and a joiner
        bob.send("{\"type\":\"react\",\"id\":" + id + ",\"emoji\":\"🎉\"}"); // on defaults to true
        react(bob, id, "🎉", false);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // from two connections: in the order the room took them, each once
            ids.add(id(nextEntry(alice, "reaction")));
        }
        assertEquals(List.of(id + 2, id + 3, id + 4, id + 5), ids, "an idle reaction took no id");
        alice.say("tally");
        assertEquals(id + 6, id(nextEntry(alice, "chat")));

        TestClient resumed = connect("v=3&user=carol&room=" + room() + "&since=" + id);
        resumed.welcome();
        List<JsonObject> replay = until(resumed, "tally");
        assertEquals(5, replay.stream().filter(f -> f.getString("type").equals("reaction")).count());
        TestClient fresh = connect("v=3&user=erin&room=" + room());
        fresh.welcome();
        JsonObject vote = nextEntry(fresh, "chat");
        JsonObject reactions = vote.getJsonObject("reactions");
        assertEquals(List.of("👍", "👩🏽‍💻"), List.copyOf(reactions.keySet()), "cleared ones are gone, the rest in order");
        assertEquals(List.of("bob", "alice"), TestClient.strings(reactions, "👍"));
    }

    @Test
    void aMessageCarriesAtMostTwentyDifferentReactions() {
        TestClient alice = v3In("alice");
        alice.say("popular");
        long id = id(nextEntry(alice, "chat"));
        for (int i = 0; i < 20; i++) {
            react(alice, id, new String(Character.toChars(0x1F600 + i)), true);
            nextEntry(alice, "reaction");
        }
        react(alice, id, new String(Character.toChars(0x1F600 + 20)), true);
        assertTrue(alice.expectError("invalid-message").getString("msg").contains("20"));
        react(alice, id, new String(Character.toChars(0x1F600)), false);
        nextEntry(alice, "reaction");
        react(alice, id, new String(Character.toChars(0x1F600 + 20)), true);
        assertTrue(nextEntry(alice, "reaction").getBoolean("on"), "one cleared: room for another");
    }

    @Test
    void olderClientsCannotAmendAndSeeNothingOfIt() {
        TestClient old = join("oldtimer");
        old.say("plain");
        long id = id(old.nextChat());
        old.send("{\"type\":\"edit\",\"id\":" + id + ",\"msg\":\"changed\"}");
        old.expectError("invalid-message");
        old.send("{\"type\":\"react\",\"id\":" + id + ",\"emoji\":\"👍\"}");
        old.expectError("invalid-message");
        TestClient alice = v3In("alice");
        nextEntry(alice, "chat");
        react(alice, id, "👍", true);
        nextEntry(alice, "reaction");
        old.say("still plain");
        assertEquals("still plain", nextEntry(old, "chat").getString("msg"));
    }

    // --- moderation

    private static void moderate(TestClient moderator, String action, String user, Long seconds, String reason) {
        var frame = Json.createObjectBuilder().add("type", action).add("user", user);
        if (seconds != null) {
            frame.add("seconds", seconds);
        }
        if (reason != null) {
            frame.add("reason", reason);
        }
        moderator.send(frame.build().toString());
    }

    @Test
    void aModeratorIsToldSoAndAnyoneElseIsForbiddenToModerate() {
        TestClient boss = v3("boss", room());
        JsonObject welcome = boss.welcome();
        assertTrue(welcome.getBoolean("moderator", false), welcome::toString);
        TestClient alice = v3("alice", room());
        assertFalse(alice.welcome().containsKey("moderator"));
        alice.send("{\"type\":\"mute\",\"user\":\"boss\",\"room\":\"" + room() + "\"}");
        assertEquals(room(), alice.expectError("forbidden").getString("room"), "the room as the frame named it");
        moderate(boss, "mute", "no", 60L, null);
        assertEquals("invalid-user", nextEntry(boss, "error").getString("code"));
        moderate(boss, "mute", "alice", 60L, "x".repeat(201));
        assertEquals("invalid-message", nextEntry(boss, "error").getString("code"));
        boss.send("{\"type\":\"ban\",\"user\":\"alice\",\"seconds\":-1}");
        assertEquals("invalid-message", nextEntry(boss, "error").getString("code"));
        TestClient old = join("oldtimer");
        old.send("{\"type\":\"kick\",\"user\":\"alice\"}");
        old.expectError("invalid-message");
        alice.say("nobody was moderated");
        assertEquals("chat", nextEntry(boss, "chat").getString("type"));
    }

    @Test
    void aMutedNameReadsButCannotSpeakEditReactOrTypeUntilTheMuteIsLifted() {
        TestClient boss = v3In("boss");
        TestClient bob = v3In("bob");
        TestClient old = connect("user=bob&room=" + room());
        old.welcome();
        bob.say("before");
        long id = id(nextEntry(bob, "chat"));
        nextEntry(old, "chat");
        nextEntry(boss, "chat");
        moderate(boss, "mute", "bob", 600L, "calm down");
        for (TestClient client : List.of(boss, bob)) {
            JsonObject entry = nextEntry(client, "moderation");
            assertEquals("mute", entry.getString("action"));
            assertEquals("bob", entry.getString("user"));
            assertEquals("boss", entry.getString("by"));
            assertEquals("calm down", entry.getString("reason"));
            assertEquals(id + 1, id(entry));
            assertIsoInstant(entry.getString("until"));
        }
        bob.send("{\"type\":\"chat\",\"msg\":\"let me speak\",\"room\":\"" + room() + "\"}");
        JsonObject muted = bob.expectError("muted");
        assertEquals(room(), muted.getString("room"));
        assertIsoInstant(muted.getString("until"));
        bob.say("let me speak");
        bob.expectError("muted");
        edit(bob, id, "changed");
        bob.expectError("muted");
        react(bob, id, "👍", true);
        bob.expectError("muted");
        bob.send("{\"type\":\"typing\"}");
        bob.expectError("muted");
        old.say("from my other connection");
        old.expectError("muted");
        delete(bob, id); // its own messages it may still take back
        assertEquals(id, nextEntry(bob, "delete").getJsonNumber("target").longValue());
        moderate(boss, "mute", "bob", 0L, null);
        assertEquals("unmute", nextEntry(bob, "moderation").getString("action"));
        bob.say("thanks");
        assertEquals(List.of("delete", "moderation", "chat"), until(boss, "thanks").stream()
                .map(f -> f.getString("type")).toList(), "nothing of the refused frames reached anyone");
    }

    @Test
    void aBanRemovesTheNameFromTheRoomOnEveryConnectionAndKeepsItOutUntilLifted() {
        TestClient boss = v3In("boss");
        TestClient bob = v3In("bob");
        String elsewhere = room() + "-elsewhere";
        bob.send("{\"type\":\"subscribe\",\"room\":\"" + elsewhere + "\"}");
        nextEntry(bob, "welcome");
        TestClient old = connect("user=bob&room=" + room());
        old.welcome();
        moderate(boss, "ban", "bob", 3600L, "spam");
        JsonObject entry = nextEntry(boss, "moderation");
        assertEquals("ban", entry.getString("action"));
        assertEquals("moderation", nextEntry(bob, "moderation").getString("type"));
        JsonObject banned = bob.expectError("banned");
        assertEquals(room(), banned.getString("room"));
        assertEquals("spam", banned.getString("reason"));
        assertIsoInstant(banned.getString("until"));
        assertEquals("banned", old.expectError("banned").getString("code"));
        old.expectClose(1008);
        JsonObject left;
        do {
            left = boss.next();
        } while (!left.getString("type").equals("leave"));
        assertEquals("bob", left.getString("user"), "bob is gone from the room");
        bob.say("still here?");
        bob.expectError("not-subscribed");
        bob.send("{\"type\":\"chat\",\"msg\":\"elsewhere\",\"room\":\"" + elsewhere + "\"}");
        assertEquals(elsewhere, nextEntry(bob, "chat").getString("room"), "its other rooms stay");
        bob.send("{\"type\":\"subscribe\",\"room\":\"" + room() + "\"}");
        assertEquals(room(), bob.expectError("banned").getString("room"));
        assertTrue(bob.isOpen(), "a refused subscribe leaves the connection open");
        for (String query : List.of("v=3&user=bob&room=" + room(), "user=bob&room=" + room())) {
            TestClient again = connect(query);
            again.expectError("banned");
            again.expectClose(1008);
        }
        moderate(boss, "ban", "bob", 0L, null);
        assertEquals("unban", nextEntry(boss, "moderation").getString("action"));
        bob.send("{\"type\":\"subscribe\",\"room\":\"" + room() + "\"}");
        assertEquals(room(), nextEntry(bob, "welcome").getString("room"));
    }

    @Test
    void aKickRemovesTheNameNowAndItMayComeBack() {
        TestClient warden = v3In("warden");
        TestClient bob = v3In("bob");
        TestClient old = connect("user=bob&room=" + room());
        old.welcome();
        moderate(warden, "kick", "bob", null, "cool off");
        JsonObject entry = nextEntry(warden, "moderation");
        assertEquals("kick", entry.getString("action"));
        assertFalse(entry.containsKey("until"));
        nextEntry(bob, "moderation");
        JsonObject kicked = bob.expectError("kicked");
        assertEquals("cool off", kicked.getString("reason"));
        old.expectError("kicked");
        old.expectClose(1008);
        bob.send("{\"type\":\"subscribe\",\"room\":\"" + room() + "\"}");
        assertEquals(room(), nextEntry(bob, "welcome").getString("room"));
    }

    /**
     * A connection without a name that names itself, in its first message, as a banned name is
     * removed and its message goes nowhere; presence stays right (it once went below zero).
     */
    @Test
    void aBannedNameCannotComeInByNamingItselfInItsFirstMessage() {
        TestClient boss = v3In("boss");
        moderate(boss, "ban", "mallory", 3600L, null);
        nextEntry(boss, "moderation");
        TestClient tutorial = connect("room=" + room());
        tutorial.welcome();
        tutorial.send("{\"user\":\"mallory\",\"msg\":\"banned words\"}");
        tutorial.expectError("banned");
        tutorial.expectClose(1008);
        moderate(boss, "ban", "mallory", 0L, null);
        assertEquals("unban", nextEntry(boss, "moderation").getString("action"), "the banned words reached no one");
        TestClient mallory = v3("mallory", room());
        assertEquals(List.of("boss", "mallory"), TestClient.strings(mallory.welcome(), "users"));
        JsonObject join = boss.next("join");
        assertEquals("mallory", join.getString("user"));
        assertEquals(2, join.getInt("online"));
    }

    @Test
    void aBanHoldsForTheNameHoweverItIsSpelt() {
        TestClient boss = v3In("boss");
        TestClient carol = v3In("carol");
        moderate(boss, "ban", "CAROL", 600L, "spelt otherwise");
        nextEntry(carol, "moderation");
        assertEquals("spelt otherwise", carol.expectError("banned").getString("reason"));
    }

    @Test
    void aModeratorDeletesAnyonesMessage() {
        TestClient boss = v3In("boss");
        TestClient alice = v3In("alice");
        alice.say("something awful");
        long id = id(nextEntry(boss, "chat"));
        nextEntry(alice, "chat");
        delete(boss, id);
        JsonObject deletion = nextEntry(alice, "delete");
        assertEquals("boss", deletion.getString("user"));
        assertEquals(id, deletion.getJsonNumber("target").longValue());
    }

    private static void assertIsoInstant(String value) {
        assertTrue(value.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z"), value);
    }
}

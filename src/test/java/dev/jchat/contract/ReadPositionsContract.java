package dev.jchat.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Protocol version 3's read positions and "my rooms" (docs/PROTOCOL.md): a read moves forward
 * only, is told to the name's other connections and, in a direct conversation, to the other name
 * as {@code seen}; "my rooms" lists the rooms a name has been in with what is unread. Every test
 * uses names of its own ({@link #mine}), since "my rooms" is the name's across tests. Each
 * runtime's contract class extends this one.
 */
public abstract class ReadPositionsContract extends RoomLogContract {

    /** A name of this test's own (the server keeps "my rooms" per name, across tests). */
    private String mine(String prefix) {
        return prefix + "-" + room().substring(2);
    }

    private String other(String suffix) {
        return room() + "-" + suffix;
    }

    /** The next frame that is not presence ({@code join}, {@code leave}, {@code typing}). */
    private static JsonObject next(TestClient client, String type) {
        while (true) {
            JsonObject frame = client.next();
            if (!Set.of("join", "leave", "typing").contains(frame.getString("type"))) {
                assertEquals(type, frame.getString("type"), () -> "unexpected frame " + frame);
                return frame;
            }
        }
    }

    private static long id(JsonObject frame) {
        return frame.getJsonNumber("id").longValue();
    }

    private static void read(TestClient client, String room, long id) {
        client.send("{\"type\":\"read\",\"room\":\"" + room + "\",\"id\":" + id + "}");
    }

    /** Nothing but presence came before the answer to a ping sent now. */
    private static void nothingBeforePong(TestClient client) {
        client.send("{\"type\":\"ping\"}");
        next(client, "pong");
    }

    /** The name's rooms, as {@code rooms} with {@code mine} answers them now. */
    private static JsonArray myRooms(TestClient client) {
        client.send("{\"type\":\"rooms\",\"mine\":true}");
        JsonObject answer = next(client, "rooms");
        assertTrue(answer.getBoolean("mine"), () -> "not my rooms: " + answer);
        return answer.getJsonArray("rooms");
    }

    private static JsonObject line(JsonArray rooms, String room) {
        return rooms.getValuesAs(JsonObject.class).stream().filter(r -> r.getString("room").equals(room)).findFirst()
                .orElseThrow(() -> new AssertionError(room + " is not in " + rooms));
    }

    private static List<String> names(JsonArray rooms) {
        return rooms.getValuesAs(JsonObject.class).stream().map(r -> r.getString("room")).toList();
    }

    private TestClient v3In(String user, String room) {
        TestClient client = v3(user, room);
        client.welcome();
        return client;
    }

    @Test
    void aReadIsToldToTheNamesOtherVersion3ConnectionsAndNotToTheSender() {
        String reader = mine("rd");
        TestClient writer = join("writer");
        TestClient here = v3In(reader, room());
        TestClient elsewhere = v3In(reader, ""); // in no room: it is told all the same
        TestClient older = join(reader);        // version 2: not told
        writer.say("one");
        long one = id(next(here, "chat"));
        read(here, room(), one);
        JsonObject echo = next(elsewhere, "read");
        assertEquals(room(), echo.getString("room"));
        assertEquals(one, id(echo));
        nothingBeforePong(here);
        assertEquals("one", next(older, "chat").getString("msg"));
        nothingBeforePong(older);
    }

    @Test
    void aReadPositionOnlyMovesForwardAndNeverPastTheNewestId() {
        String reader = mine("rd");
        TestClient writer = join("writer");
        TestClient here = v3In(reader, room());
        TestClient elsewhere = v3In(reader, "");
        writer.say("one");
        writer.say("two");
        next(here, "chat");
        long two = id(next(here, "chat"));
        read(here, room(), two);
        assertEquals(two, id(next(elsewhere, "read")));
        read(here, room(), two - 1);
        read(here, room(), two); // the same again: not forward either
        nothingBeforePong(elsewhere);
        read(here, room(), two + 1000); // no further than the room's newest id
        nothingBeforePong(elsewhere);
        assertEquals(two, line(myRooms(here), room()).getJsonNumber("read").longValue());
    }

    @Test
    void aReadIsIgnoredForANameNotItsOwnAndRefusedForARoomNotSubscribed() {
        TestClient writer = join("writer");
        writer.say("one");
        long one = id(writer.nextChat());
        TestClient unnamed = connect("v=3&room=" + room());
        unnamed.welcome();
        unnamed.send("{\"type\":\"chat\",\"user\":\"" + unheld("nobody") + "\",\"msg\":\"hi\"}");
        next(unnamed, "chat");
        next(unnamed, "chat");
        read(unnamed, room(), one);
        nothingBeforePong(unnamed); // ignored, no error
        assertEquals(0, myRooms(unnamed).size(), "a name not its own has no rooms");

        TestClient reader = v3In(mine("rd"), "");
        read(reader, other("elsewhere"), one);
        assertEquals(other("elsewhere"), reader.expectError("not-subscribed").getString("room"));

        TestClient older = connect("user=" + q(mine("ol")) + "&room=" + other("v2"));
        older.welcome();
        older.send("{\"type\":\"read\",\"id\":1}");
        older.expectError("invalid-message");
        older.send("{\"type\":\"rooms\",\"mine\":true}");
        assertFalse(next(older, "rooms").containsKey("mine"), "version 2 gets the directory");
    }

    @Test
    void aDirectConversationSaysWhetherTheOtherNameIsOnlineAnywhereAndEveryChange() {
        String alice = mine("al");
        String bob = mine("bo");
        TestClient bobAway = v3In(bob, ""); // a connection in no room is online all the same
        TestClient aliceHere = connect("v=3&user=" + q(alice) + "&room=" + q("@" + bob));
        JsonObject welcome = aliceHere.welcome();
        String room = welcome.getString("room");
        assertTrue(welcome.getBoolean("otherOnline"), () -> "bob is online: " + welcome);
        TestClient aliceOlder = connect("user=" + q(alice) + "&room=" + q("@" + bob)); // version 2: told nothing
        assertFalse(aliceOlder.welcome().containsKey("otherOnline"));
        TestClient carol = v3In(mine("ca"), room()); // no conversation with bob: told nothing

        bobAway.close();
        JsonObject offline = next(aliceHere, "online");
        assertEquals(room, offline.getString("room"));
        assertEquals(bob, offline.getString("user"));
        assertFalse(offline.getBoolean("online"), () -> "bob's last connection closed: " + offline);

        TestClient bobBack = join(bob); // any room, any version
        JsonObject online = next(aliceHere, "online");
        assertTrue(online.getBoolean("online"), () -> "bob is back: " + online);
        TestClient bobTwice = v3In(bob, ""); // a second connection changes nothing
        bobTwice.close();
        nothingBeforePong(aliceHere);
        bobBack.close();
        assertFalse(next(aliceHere, "online").getBoolean("online"));

        TestClient aliceAgain = connect("v=3&user=" + q(alice) + "&room=" + q("@" + bob));
        assertFalse(aliceAgain.welcome().getBoolean("otherOnline"), "bob is offline");
        nothingBeforePong(aliceOlder);
        nothingBeforePong(carol);
    }

    @Test
    void aConversationSubscribedSaysWhetherTheOtherNameIsOnlineAndOneLeftSaysNothingMore() {
        String alice = mine("al");
        String bob = mine("bo");
        TestClient bobAway = v3In(bob, "");
        TestClient aliceAlone = v3In(alice, "");
        aliceAlone.send("{\"type\":\"subscribe\",\"room\":\"@" + bob + "\"}");
        JsonObject welcome = next(aliceAlone, "welcome");
        assertTrue(welcome.getBoolean("otherOnline"), () -> "bob is online: " + welcome);
        String room = welcome.getString("room");
        aliceAlone.send("{\"type\":\"unsubscribe\",\"room\":\"" + room + "\"}");
        assertEquals(room, next(aliceAlone, "unsubscribed").getString("room"));
        bobAway.close();
        TestClient bobBack = v3In(bob, ""); // gone, and back: told to nobody here
        nothingBeforePong(aliceAlone);
        aliceAlone.send("{\"type\":\"subscribe\",\"room\":\"" + room + "\"}");
        assertTrue(next(aliceAlone, "welcome").getBoolean("otherOnline"));
        bobBack.close();
        assertFalse(next(aliceAlone, "online").getBoolean("online"), "subscribed again: told again");
    }

    @Test
    void inADirectConversationTheOtherNameSeesWhatWasRead() {
        String alice = mine("al");
        String bob = mine("bo");
        TestClient bobAway = v3In(bob, "");
        TestClient aliceHere = connect("v=3&user=" + q(alice) + "&room=" + q("@" + bob));
        String room = aliceHere.welcome().getString("room");
        TestClient bobHere = connect("v=3&user=" + q(bob) + "&room=" + q("@" + alice));
        assertEquals(room, bobHere.welcome().getString("room"));
        aliceHere.say("hello bob");
        long id = id(next(bobHere, "chat"));
        next(aliceHere, "chat");
        read(bobHere, "@" + alice, id); // as the client names it
        JsonObject seen = next(aliceHere, "seen");
        assertEquals(room, seen.getString("room"));
        assertEquals(bob, seen.getString("user"));
        assertEquals(id, id(seen));
        // bob's other connection is told of the message and has it as read, in either order: the
        // notice goes out after the message, and bob may read it before then
        Map<String, JsonObject> away = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            JsonObject frame = bobAway.next();
            away.put(frame.getString("type"), frame);
        }
        assertEquals(Set.of("notice", "read"), away.keySet());
        assertEquals("hello bob", away.get("notice").getString("msg"));
        assertEquals(room, away.get("read").getString("room"));
        assertEquals(Set.of(room), Set.copyOf(names(myRooms(bobHere))), "a direct conversation is one of my rooms");
    }

    @Test
    void myRoomsCountsUnreadAndMentionsButNotOwnOrDeletedMessages() {
        String reader = mine("rd");
        TestClient writer = v3In(mine("wr"), room());
        TestClient here = v3In(reader, room());
        writer.say("before");
        long before = id(next(here, "chat"));
        read(here, room(), before);
        writer.say("hello @" + reader.toUpperCase());
        writer.say("to be deleted @" + reader);
        long hello = id(next(here, "chat"));
        next(here, "chat");
        here.say("my own");
        next(here, "chat");
        writer.say("plain");
        next(here, "chat");
        writer.send("{\"type\":\"delete\",\"id\":" + (hello + 1) + "}");
        next(here, "delete");
        JsonObject line = line(myRooms(here), room());
        assertEquals(before, line.getJsonNumber("read").longValue());
        assertEquals(2, line.getInt("unread"), () -> "the mention and the plain one: " + line);
        assertEquals(1, line.getInt("mentions"), () -> "the one left: " + line);
        assertEquals(2, line.getInt("online"));
        assertEquals(hello + 4, line.getJsonNumber("lastId").longValue(), "the deletion is the newest entry");
    }

    @Test
    void myRoomsAreTheMostRecentlyActiveFirstAndForgetTakesOneOff() throws InterruptedException {
        String reader = mine("rd");
        TestClient writer = join("writer");
        writer.say("x");
        long x = id(writer.nextChat());
        TestClient client = v3In(reader, room());
        next(client, "chat");
        for (String room : List.of(other("a"), other("b"))) {
            Thread.sleep(5); // a later millisecond: activity is kept in ms
            client.send("{\"type\":\"subscribe\",\"room\":\"" + room + "\"}");
            assertEquals(room, next(client, "welcome").getString("room"));
        }
        assertEquals(List.of(other("b"), other("a"), room()), names(myRooms(client)));
        Thread.sleep(5);
        read(client, room(), x); // reading is activity
        nothingBeforePong(client);
        assertEquals(List.of(room(), other("b"), other("a")), names(myRooms(client)));

        client.send("{\"type\":\"unsubscribe\",\"room\":\"" + other("b") + "\",\"forget\":true}");
        assertEquals(other("b"), next(client, "unsubscribed").getString("room"));
        client.send("{\"type\":\"unsubscribe\",\"room\":\"" + other("a") + "\"}");
        assertEquals(other("a"), next(client, "unsubscribed").getString("room"));
        assertEquals(List.of(room(), other("a")), names(myRooms(client)), "left without forget: still mine");
        client.send("{\"type\":\"unsubscribe\",\"room\":\"" + other("a") + "\",\"forget\":true}");
        assertEquals(other("a"), next(client, "unsubscribed").getString("room"), "forgotten from outside it too");
        assertEquals(List.of(room()), names(myRooms(client)));
    }
}

package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import dev.jchat.launcher.EmbeddedServer;
import dev.jchat.room.Names;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Read positions and "my rooms" with Redis, on two real chat servers sharing one real
 * redis-server: a read is told to the name's connections on the other server, {@code seen}
 * crosses servers, and positions outlive a restart of every chat server.
 */
class RedisPositionsTest {

    @RegisterExtension
    final RedisChats chats = RedisChats.withRedis();
    private final RoomClients clients = chats.clients;
    private final String room = clients.room;

    private EmbeddedServer server() throws Exception {
        return chats.start(chats.redis().url());
    }

    /** A connection to {@code server} with {@code query}, closed after the test. */
    private TestClient connect(EmbeddedServer server, String query) {
        return clients.add(TestClient.connect(URI.create(server.chatUri() + "?" + query)));
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The next frame of {@code type}, skipping presence. */
    private static JsonObject next(TestClient client, String type) {
        while (true) {
            JsonObject frame = client.next();
            if (!Set.of("join", "leave", "typing").contains(frame.getString("type"))) {
                assertEquals(type, frame.getString("type"), () -> "unexpected frame " + frame);
                return frame;
            }
        }
    }

    private static void read(TestClient client, String room, long id) {
        client.send("{\"type\":\"read\",\"room\":\"" + room + "\",\"id\":" + id + "}");
    }

    private static JsonObject myRoom(TestClient client, String room) {
        client.send("{\"type\":\"rooms\",\"mine\":true}");
        return next(client, "rooms").getJsonArray("rooms").getValuesAs(JsonObject.class).stream()
                .filter(r -> r.getString("room").equals(room)).findFirst()
                .orElseThrow(() -> new AssertionError(room + " is not one of my rooms"));
    }

    @Test
    void aReadOnOneServerIsToldToTheNamesConnectionsOnTheOtherAndSeenCrossesToo() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient writer = clients.join(a.chatUri(), "writer");
        TestClient aliceOnA = connect(a, "v=3&user=alice&room=" + room);
        aliceOnA.welcome();
        TestClient aliceOnB = connect(b, "v=3&user=alice&room=");
        aliceOnB.welcome();
        writer.say("one");
        long one = next(aliceOnA, "chat").getJsonNumber("id").longValue();
        read(aliceOnA, room, one);
        JsonObject echo = next(aliceOnB, "read");
        assertEquals(room, echo.getString("room"));
        assertEquals(one, echo.getJsonNumber("id").longValue());
        aliceOnA.send("{\"type\":\"ping\"}");
        next(aliceOnA, "pong"); // not to the connection that read

        TestClient bobOnB = connect(b, "v=3&user=bob&room=" + q("@alice"));
        String direct = bobOnB.welcome().getString("room");
        TestClient aliceInDirect = connect(a, "v=3&user=alice&room=" + q("@bob"));
        aliceInDirect.welcome();
        bobOnB.say("hi alice");
        next(bobOnB, "chat");
        long hi = next(aliceInDirect, "chat").getJsonNumber("id").longValue();
        read(aliceInDirect, "@bob", hi);
        JsonObject seen = next(bobOnB, "seen");
        assertEquals(direct, seen.getString("room"));
        assertEquals("alice", seen.getString("user"));
        assertEquals(hi, seen.getJsonNumber("id").longValue());
        // the notice of bob's message and the read come from two servers: in either order
        JsonObject first = aliceOnB.next();
        JsonObject second = aliceOnB.next();
        JsonObject told = first.getString("type").equals("read") ? first : second;
        assertEquals(Set.of("notice", "read"), Set.of(first.getString("type"), second.getString("type")));
        assertEquals(direct, told.getString("room"));
        assertEquals(hi, told.getJsonNumber("id").longValue());
    }

    @Test
    void readPositionsAndMyRoomsOutliveARestartOfEveryServer() throws Exception {
        EmbeddedServer a = server();
        TestClient writer = clients.join(a.chatUri(), "writer");
        TestClient alice = connect(a, "v=3&user=alice&room=" + room);
        alice.welcome();
        for (String text : new String[] {"one", "two", "three @Alice"}) {
            writer.say(text);
        }
        next(alice, "chat");
        long two = next(alice, "chat").getJsonNumber("id").longValue();
        next(alice, "chat");
        read(alice, room, two);
        assertEquals(two, myRoom(alice, room).getJsonNumber("read").longValue(), "kept before the answer");
        String owner = "alice|" + Names.digest(TestClient.testKey("alice"));
        long ttl = Long.parseLong(chats.redis().command("TTL chat:user:{" + owner + "}:read").substring(1));
        assertTrue(ttl > 29L * 86_400 && ttl <= 30L * 86_400, "kept CHAT_HISTORY_DAYS: " + ttl);

        chats.close(); // every server stops
        EmbeddedServer restarted = server();
        TestClient back = connect(restarted, "v=3&user=alice&room=");
        back.welcome();
        JsonObject line = myRoom(back, room);
        assertEquals(two, line.getJsonNumber("read").longValue());
        assertEquals(two + 1, line.getJsonNumber("lastId").longValue());
        // no copy of the room on this server: counted in Redis (unread.lua)
        assertEquals(1, line.getInt("unread"), () -> "counted in Redis: " + line);
        assertEquals(1, line.getInt("mentions"), "@Alice for alice");
        back.send("{\"type\":\"subscribe\",\"room\":\"" + room + "\"}");
        next(back, "welcome");
        for (int i = 0; i < 3; i++) {
            next(back, "chat"); // the history after the welcome
        }
        JsonObject counted = myRoom(back, room);
        assertEquals(1, counted.getInt("unread"), () -> "from this server's copy: " + counted);
        assertEquals(1, counted.getInt("mentions"));
    }

    /**
     * A room with nobody on this server is counted in Redis by the copies' rule: not the name's
     * own, not deleted, mentions case-insensitive, at most 100; what a server with a copy answers.
     */
    @Test
    void unreadInARoomWithNobodyHereIsCountedInRedisAsACopyCountsIt() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient writer = connect(a, "v=3&user=writer&room=" + room);
        writer.welcome();
        TestClient here = connect(a, "v=3&user=reader&room=" + room);
        here.welcome();
        writer.say("before");
        long before = next(here, "chat").getJsonNumber("id").longValue();
        read(here, room, before);
        writer.say("hello @READER");
        writer.say("to be deleted @reader");
        long hello = next(here, "chat").getJsonNumber("id").longValue();
        next(here, "chat");
        here.say("my own");
        next(here, "chat");
        writer.say("plain");
        next(here, "chat");
        writer.send("{\"type\":\"delete\",\"id\":" + (hello + 1) + "}");
        next(here, "delete");
        TestClient away = connect(b, "v=3&user=reader&room=");
        away.welcome();
        JsonObject inRedis = myRoom(away, room);
        assertEquals(2, inRedis.getInt("unread"), () -> "the mention and the plain one: " + inRedis);
        assertEquals(1, inRedis.getInt("mentions"), inRedis::toString);
        JsonObject fromCopy = myRoom(here, room);
        assertEquals(fromCopy, inRedis, "the same as from A's copy");

        for (int i = 0; i < 150; i++) {
            writer.say("more " + i);
        }
        for (int i = 0; i < 150; i++) {
            next(here, "chat");
        }
        JsonObject capped = myRoom(away, room);
        assertEquals(100, capped.getInt("unread"), capped::toString);
        assertEquals(0, capped.getInt("mentions"), "among the newest 100");
        assertEquals(myRoom(here, room), capped, "the same as from A's copy");
    }

    /**
     * Past the stream entries the count may read (5 per message looked at), a reaction storm after
     * the messages leaves the room's count out on a server with no copy, rather than count it short.
     */
    @Test
    void aRoomWhoseNewestEntriesAreAReactionStormIsNotCountedShort() throws Exception {
        EmbeddedServer a = chats.start(RedisChats.config(chats.redis().url(), 3).withHistory(200, 50));
        EmbeddedServer b = chats.start(RedisChats.config(chats.redis().url(), 3).withHistory(200, 50));
        TestClient writer = connect(a, "v=3&user=writer&room=" + room);
        writer.welcome();
        TestClient here = connect(a, "v=3&user=reader&room=" + room);
        here.welcome();
        writer.say("read");
        read(here, room, next(here, "chat").getJsonNumber("id").longValue());
        writer.say("unread");
        long unread = next(here, "chat").getJsonNumber("id").longValue();
        for (int i = 0; i < 501; i++) { // in batches: each amendment waits for those before it, within 2 s
            writer.send("{\"type\":\"react\",\"id\":" + unread + ",\"emoji\":\"👍\",\"on\":" + (i % 2 == 0) + "}");
            if (i % 50 == 49 || i == 500) {
                for (int j = i - i % 50; j <= i; j++) {
                    next(here, "reaction");
                }
            }
        }
        assertEquals(1, myRoom(here, room).getInt("unread"), "A's copy counts it");
        TestClient away = connect(b, "v=3&user=reader&room=");
        away.welcome();
        JsonObject line = myRoom(away, room);
        assertEquals(unread + 501, line.getJsonNumber("lastId").longValue());
        assertFalse(line.containsKey("unread"), () -> "not counted short: " + line);
        assertFalse(line.containsKey("mentions"), line::toString);
    }
}

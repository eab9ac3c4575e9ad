package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import dev.jchat.launcher.EmbeddedServer;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The room log on the Redis engine with two (and three) chat servers on one real redis-server:
 * edits, deletions and reactions made on one server reach the others in order with the same ids,
 * are replayed as the message is now by a server that read them from Redis, a deleted text is
 * gone from every key of the room, and the stream stays bounded however many reactions come.
 */
class RedisRoomLogTest {

    @RegisterExtension
    final RedisChats chats = RedisChats.withRedis();
    private final RoomClients clients = chats.clients;
    private final String room = clients.room;

    private TestClient v3(EmbeddedServer server, String user, String more) {
        TestClient client = clients.connect(server.chatUri(), "&v=3&user=" + user + more);
        client.welcome();
        return client;
    }

    /** The next frame of the log (a chat message or another entry), presence skipped. */
    static JsonObject nextEntry(TestClient client) {
        while (true) {
            JsonObject frame = client.next();
            if (!Set.of("join", "leave", "typing").contains(frame.getString("type"))) {
                return frame;
            }
        }
    }

    private static String describe(JsonObject frame) {
        String type = frame.getString("type");
        String about = switch (type) {
            case "chat" -> frame.getString("msg", "-") + (frame.containsKey("edited") ? " edited" : "")
                    + (frame.getBoolean("deleted", false) ? " deleted" : "")
                    + (frame.containsKey("reactions") ? " " + frame.getJsonObject("reactions") : "");
            case "edit" -> frame.getJsonNumber("target") + " " + frame.getString("msg");
            case "reaction" -> frame.getJsonNumber("target") + " " + frame.getString("emoji") + " "
                    + frame.getBoolean("on") + " " + frame.getString("user");
            default -> String.valueOf(frame.getJsonNumber("target"));
        };
        return frame.getJsonNumber("id") + " " + type + " " + about;
    }

    private static List<String> entries(TestClient client, int count) {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            seen.add(describe(nextEntry(client)));
        }
        return seen;
    }

    private static void edit(TestClient client, long id, String msg) {
        client.send(Json.createObjectBuilder().add("type", "edit").add("id", id).add("msg", msg).build().toString());
    }

    private static void react(TestClient client, long id, String emoji) {
        client.send(Json.createObjectBuilder().add("type", "react").add("id", id).add("emoji", emoji).build().toString());
    }

    private static void react(TestClient client, long id, String emoji, boolean on) {
        client.send(Json.createObjectBuilder().add("type", "react").add("id", id).add("emoji", emoji).add("on", on)
                .build().toString());
    }

    private static void delete(TestClient client, long id) {
        client.send("{\"type\":\"delete\",\"id\":" + id + "}");
    }

    @Test
    void anEditADeletionAndReactionsOnOneServerReachTheOthersInOrderAndTheDeletedTextIsGoneFromRedis()
            throws Exception {
        EmbeddedServer a = chats.start(chats.redis().url());
        EmbeddedServer b = chats.start(chats.redis().url());
        TestClient ann = v3(a, "ann", "");
        TestClient bob = v3(b, "bob", "");
        TestClient older = clients.join(b.chatUri(), "olga"); // version 1 on B

        ann.say("helo");
        ann.say("first secret words");
        edit(ann, 2, "second secret words");
        edit(ann, 1, "hello");
        List<String> expected = new ArrayList<>(List.of(
                "1 chat helo",
                "2 chat first secret words",
                "3 edit 2 second secret words",
                "4 edit 1 hello"));
        assertEquals(expected, entries(ann, 4), "on A, in the order sent");
        react(bob, 1, "👍"); // from B, with A's entries seen first: the order of the two servers is known
        assertEquals("5 reaction 1 👍 true bob", describe(nextEntry(ann)));
        react(ann, 1, "🎉");
        delete(ann, 2);
        ann.say("bye");
        List<String> rest = List.of("6 reaction 1 🎉 true ann", "7 delete 2", "8 chat bye");
        assertEquals(rest, entries(ann, 3), "on A: a message sent after amendments comes after them");
        expected.add("5 reaction 1 👍 true bob");
        expected.addAll(rest);
        assertEquals(expected, entries(bob, expected.size()), "on B: the same entries, ids and order");
        List<String> plain = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JsonObject chat = older.nextChat();
            plain.add(chat.getInt("id") + " " + chat.getString("msg"));
        }
        assertEquals(List.of("1 helo", "2 first secret words", "8 bye"), plain, "version 1 sees chat messages only");

        // replayed as the message is now: by B, whose copy got it live, and by C, which reads Redis
        EmbeddedServer c = chats.start(chats.redis().url());
        String now1 = "1 chat hello edited {\"👍\":[\"bob\"],\"🎉\":[\"ann\"]}";
        List<String> replay = List.of(now1, "2 chat - deleted", "4 edit 1 hello", "5 reaction 1 👍 true bob",
                "6 reaction 1 🎉 true ann", "7 delete 2", "8 chat bye");
        for (EmbeddedServer server : List.of(b, c)) {
            TestClient resumed = v3(server, "carl", "&since=0");
            assertEquals(replay, entries(resumed, replay.size()), "a replay after since=0");
            TestClient fresh = v3(server, "dora", "");
            assertEquals(List.of(now1, "2 chat - deleted", "8 chat bye"), entries(fresh, 3), "a new connection's backlog");
            TestClient old = clients.connect(server.chatUri(), "&user=otto&since=0");
            old.welcome();
            assertEquals("hello", old.nextChat().getString("msg"), "version 1: the text now");
            assertEquals("bye", old.nextChat().getString("msg"), "and never the deleted message");
        }

        List<String> everything = roomKeys();
        assertTrue(everything.stream().anyMatch(text -> text.contains("hello")),
                "the reading finds a text that is there: " + everything);
        for (String gone : List.of("first secret words", "second secret words")) {
            assertEquals(List.of(), everything.stream().filter(text -> text.contains(gone))
                    .map(text -> text.substring(0, text.indexOf(' '))).toList(), gone + " is in these keys");
        }
    }

    @Test
    void aServerThatMissedAnEditedAndDeletedMessageFillsTheGapWithoutLosingOrShowingIt() throws Exception {
        EmbeddedServer a = chats.start(chats.redis().url());
        try (CuttingProxy proxy = new CuttingProxy(chats.redis().port())) {
            EmbeddedServer b = chats.start(proxy.url());
            TestClient ann = v3(a, "ann", "");
            TestClient bob = v3(b, "bob", "");
            TestClient older = clients.join(b.chatUri(), "olga");
            ann.say("before");
            assertEquals("1 chat before", describe(nextEntry(bob)));
            assertEquals(1, older.nextChat().getInt("id"));

            proxy.holdSubscribers(); // B misses what follows on its channel until it syncs
            ann.say("soon gone");
            edit(ann, 2, "soon gone, edited");
            ann.say("kept");
            edit(ann, 4, "kept, edited");
            delete(ann, 2);
            ann.say("after");
            assertEquals(7, entries(ann, 7).size());
            proxy.cutSubscribers(500); // what was held is lost with the connection: B syncs when it is back
            proxy.releaseSubscribers();
            List<String> expected = List.of("4 chat kept, edited", "5 edit 4 kept, edited", "6 delete 2", "7 chat after");
            assertEquals(expected, entries(bob, expected.size()),
                    "the deleted message is not sent, its edit is gone, the edited one comes with its text now");
            JsonObject kept = older.nextChat();
            assertEquals("4 kept, edited", kept.getInt("id") + " " + kept.getString("msg"), "the text now");
            assertEquals("after", older.nextChat().getString("msg"), "version 1 never sees the deleted message");

            TestClient resumed = clients.connect(b.chatUri(), "&v=3&user=carl&since=1");
            assertTrue(resumed.welcome().getBoolean("recovered"), "the edit gone with its message was not lost");
            assertEquals(List.of("4 chat kept, edited edited", "5 edit 4 kept, edited", "6 delete 2", "7 chat after"),
                    entries(resumed, 4));
        }
    }

    /**
     * Reactions to one message from two servers at once: each server's are decided on what Redis
     * holds, so they conflict and are read again; every one is taken once, in one order of ids,
     * and the message ends with every name.
     */
    @Test
    void reactionsFromTwoServersAtOnceAreEachTakenOnce() throws Exception {
        EmbeddedServer a = chats.start(chats.redis().url());
        EmbeddedServer b = chats.start(chats.redis().url());
        TestClient ann = v3(a, "ann", "");
        ann.say("react to this");
        assertEquals("1 chat react to this", describe(nextEntry(ann)));
        List<TestClient> reacting = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            reacting.add(v3(i % 2 == 0 ? a : b, "user" + i, ""));
        }
        reacting.forEach(client -> react(client, 1, "👍"));
        List<String> names = new ArrayList<>();
        for (int id = 2; id <= 17; id++) {
            JsonObject entry = nextEntry(ann);
            assertEquals("reaction", entry.getString("type"), entry::toString);
            assertEquals(id, entry.getInt("id"), "consecutive ids, each reaction once");
            names.add(entry.getString("user"));
        }
        TestClient late = v3(b, "zoe", "");
        JsonObject now = nextEntry(late);
        assertEquals(names, TestClient.strings(now.getJsonObject("reactions"), "👍"), "in the order of their ids");
        for (TestClient client : reacting) { // none was refused (an error would come among them)
            List<String> seen = entries(client, 17);
            assertTrue(seen.get(0).startsWith("1 chat"), seen.get(0));
            assertEquals(16, seen.stream().filter(entry -> entry.contains(" reaction 1 👍 true ")).count(), seen::toString);
        }
    }

    /**
     * History 3: the stream holds 3 chat messages and 12 other entries at most, trimmed as every
     * server's copy trims (History): past 12, the oldest entry that is not a message goes, so a
     * storm of reactions on the newest message of a full room keeps every message, in Redis and in
     * a server that reads the room afterwards, which holds what one that saw it all holds, and
     * does not take a replay from before the dropped reactions for whole.
     */
    @Test
    void aReactionStormKeepsTheMessagesInTheStreamAndInEveryServersCopy() throws Exception {
        EmbeddedServer a = chats.start(RedisChats.config(chats.redis().url(), 3).withHistory(3, 3));
        TestClient ann = v3(a, "ann", "");
        for (int i = 1; i <= 5; i++) {
            ann.say("m" + i);
        }
        entries(ann, 5);
        String log = "chat:{" + room + "}:log";
        String texts = "chat:{" + room + "}:msgs";
        assertEquals(":3", chats.redis().command("XLEN " + log), "the newest 3 messages");
        assertEquals(":3", chats.redis().command("HLEN " + texts));
        assertEquals("$-1", chats.redis().command("HGET " + texts + " 1"), "one no longer kept has no text in Redis");
        for (int i = 0; i < 40; i++) { // ids 6 to 45: on at even ids, off at odd ones
            react(ann, 5, "😀", i % 2 == 0);
        }
        List<String> storm = entries(ann, 40);
        assertEquals("45 reaction 5 😀 false ann", storm.get(39));
        assertEquals(":15", chats.redis().command("XLEN " + log), "3 messages and the newest 12 other entries");
        assertEquals(":3", chats.redis().command("HLEN " + texts), "every message is still there");
        for (int id = 3; id <= 5; id++) {
            assertEquals(":1", chats.redis().command("HEXISTS " + texts + " " + id), "message " + id);
        }
        ann.say("m6");
        entries(ann, 1);

        EmbeddedServer b = chats.start(RedisChats.config(chats.redis().url(), 3).withHistory(3, 3));
        List<String> kept = storm.subList(28, 40); // ids 34 to 45
        for (EmbeddedServer server : List.of(a, b)) {
            assertEquals(List.of("4 chat m4", "5 chat m5", "46 chat m6"), entries(v3(server, "bob", ""), 3),
                    "a new connection's backlog");
            TestClient old = clients.connect(server.chatUri(), "&v=3&user=carl&since=3");
            assertEquals(false, old.welcome().getBoolean("recovered"), "the reactions dropped were not replayed");
            List<String> replay = new ArrayList<>(List.of("4 chat m4", "5 chat m5"));
            replay.addAll(kept);
            replay.add("46 chat m6");
            assertEquals(replay, entries(old, replay.size()), "what is held, the messages as they are now");
            TestClient recent = clients.connect(server.chatUri(), "&v=3&user=dora&since=33");
            assertEquals(true, recent.welcome().getBoolean("recovered"), "after the dropped ones, nothing is missing");
            List<String> rest = new ArrayList<>(kept);
            rest.add("46 chat m6");
            assertEquals(rest, entries(recent, rest.size()));
        }
    }

    /**
     * History 16: the oldest messages go an eighth of that at a time (2), so the stream holds 16 to
     * 17 messages after each one, every text in it is a held message's, and a server that reads the
     * room serves the newest 16 as one that saw them all does.
     */
    @Test
    void theOldestMessagesGoSomeAtATimeAndEveryServerStillServesTheNewestHistorySize() throws Exception {
        EmbeddedServer a = chats.start(RedisChats.config(chats.redis().url(), 3).withHistory(16, 16));
        TestClient ann = v3(a, "ann", "");
        String log = "chat:{" + room + "}:log";
        String texts = "chat:{" + room + "}:msgs";
        List<Integer> lengths = new ArrayList<>();
        for (int i = 1; i <= 22; i++) {
            ann.say("m" + i);
            entries(ann, 1);
            lengths.add(Integer.parseInt(chats.redis().command("XLEN " + log).substring(1)));
            assertEquals(chats.redis().command("XLEN " + log), chats.redis().command("HLEN " + texts), "a text for each message, after " + i);
        }
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 16, 17, 18, 16), lengths);
        for (int id = 1; id <= 6; id++) {
            assertEquals(":0", chats.redis().command("HEXISTS " + texts + " " + id), "message " + id + " went");
        }

        EmbeddedServer b = chats.start(RedisChats.config(chats.redis().url(), 3).withHistory(16, 16));
        for (EmbeddedServer server : List.of(a, b)) {
            List<String> backlog = entries(v3(server, "bob", ""), 16);
            assertEquals("7 chat m7", backlog.get(0));
            assertEquals("22 chat m22", backlog.get(15));
        }
    }

    /**
     * The room's keys live CHAT_HISTORY_DAYS (30) after its last entry, and no more than a minute
     * longer: the expiry is refreshed when the room's last refresh is a minute old, and when an entry
     * makes a key (the first message, the first edit), not by every entry.
     */
    @Test
    void theRoomsKeysLiveHistoryDaysAfterItsLastEntryRefreshedOnceAMinute() throws Exception {
        EmbeddedServer a = chats.start(RedisChats.config(chats.redis().url(), 3));
        TestClient ann = v3(a, "ann", "");
        String prefix = "chat:{" + room + "}:";
        ann.say("m1");
        entries(ann, 1);
        edit(ann, 1, "m1!");
        entries(ann, 1);
        for (String key : List.of("meta", "log", "msgs", "edits")) {
            assertKept(prefix + key);
        }
        for (String key : List.of("log", "msgs")) {
            assertEquals(":1", chats.redis().command("EXPIRE " + prefix + key + " 100"));
        }
        ann.say("m2");
        entries(ann, 1);
        assertTrue(ttl(prefix + "log") <= 100, "not refreshed within the minute: " + ttl(prefix + "log"));
        assertEquals(":0", chats.redis().command("HSET " + prefix + "meta kept 0"), "as if a minute had passed");
        ann.say("m3");
        entries(ann, 1);
        assertKept(prefix + "log");
        assertKept(prefix + "msgs");
    }

    private long ttl(String key) {
        return Long.parseLong(chats.redis().command("TTL " + key).substring(1));
    }

    private void assertKept(String key) {
        long ttl = ttl(key);
        assertTrue(ttl > 30 * 86_400 - 5 && ttl <= 30 * 86_400 + 60, key + " is kept 30 days (and at most a minute): " + ttl);
    }

    /**
     * Every key of the room, read twice: as its type reads (stream entries, hash fields and values,
     * list and set members, strings) and as DUMP serializes it (uncompressed), which would show
     * an entry removed from a stream whose bytes stay in it.
     */
    private List<String> roomKeys() {
        RedisClient client = RedisClient.create(chats.redis().url());
        try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
            RedisCommands<byte[], byte[]> commands = connection.sync();
            commands.configSet("rdbcompression", "no");
            List<String> texts = new ArrayList<>();
            List<byte[]> keys = new ArrayList<>();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<byte[]> page = commands.scan(cursor, ScanArgs.Builder.matches("chat:{" + room + "}*"));
                keys.addAll(page.getKeys());
                cursor = page.isFinished() ? ScanCursor.FINISHED : page;
            } while (!cursor.isFinished());
            assertTrue(keys.size() >= 3, "the room's keys: " + keys.size());
            for (byte[] key : keys) {
                String name = new String(key, StandardCharsets.UTF_8);
                texts.add(name + " dump: " + new String(commands.dump(key), StandardCharsets.UTF_8));
                switch (commands.type(key)) {
                    case "stream" -> commands.xrange(key, io.lettuce.core.Range.create("-", "+")).forEach(m -> texts.add(
                            name + " " + m.getId() + " " + utf8(m.getBody())));
                    case "hash" -> commands.hgetall(key).forEach((f, v) -> texts.add(
                            name + " " + new String(f, StandardCharsets.UTF_8) + " " + new String(v, StandardCharsets.UTF_8)));
                    case "list" -> commands.lrange(key, 0, -1).forEach(v -> texts.add(name + " " + utf8(v)));
                    case "set" -> commands.smembers(key).forEach(v -> texts.add(name + " " + utf8(v)));
                    case "zset" -> commands.zrange(key, 0, -1).forEach(v -> texts.add(name + " " + utf8(v)));
                    case "string" -> texts.add(name + " " + utf8(commands.get(key)));
                    default -> throw new AssertionError("a key of a type this test does not read: " + name);
                }
            }
            return texts;
        } finally {
            client.shutdown();
        }
    }

    private static String utf8(Object value) {
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        StringBuilder text = new StringBuilder();
        ((java.util.Map<?, ?>) value).forEach((f, v) -> text.append(utf8(f)).append('=').append(utf8(v)).append(' '));
        return text.toString();
    }
}

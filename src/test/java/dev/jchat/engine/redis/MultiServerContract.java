package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The guarantees of PROTOCOL.md across chat servers that share Redis, whatever Redis it is: one
 * Redis ({@link RedisEngineTest}), or a Redis Cluster ({@link RedisClusterTest}). Two chat servers
 * in this JVM on {@link #redisUrl}: one order per room, a name online once, a resume on the other
 * server, history through a restart of every chat server, one directory, direct messages and
 * claimed names across servers. A subclass starts its Redis before each test and, after it,
 * closes {@link #chats} first, then its Redis.
 */
abstract class MultiServerContract {

    protected final RedisChats chats = new RedisChats();
    protected final RoomClients clients = chats.clients;
    protected final String room = clients.room;

    /** The {@code CHAT_REDIS_URL} of the Redis the test started. */
    protected abstract String redisUrl();

    /** A command's whole reply ({@link RedisServer#ask}), from the node that holds its key. */
    protected abstract List<String> ask(String command) throws Exception;

    /** Waits until Redis counts {@code user} in {@code room} on {@code servers} servers: a server records it after its welcome. */
    protected void awaitServersWith(String room, String user, int servers) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!List.of(Integer.toString(servers)).equals(ask("HGET chat:{" + room + "}:names " + user))) {
            assertTrue(System.nanoTime() < deadline, () -> user + " never on " + servers + " servers in " + room);
            Thread.sleep(20);
        }
    }

    protected ChatConfig config(String redisUrl) {
        return RedisChats.config(redisUrl, 3);
    }

    protected EmbeddedServer server() throws Exception {
        return server(config(redisUrl()));
    }

    protected EmbeddedServer server(ChatConfig config) throws Exception {
        return chats.start(config);
    }

    protected TestClient connect(EmbeddedServer server, String query) {
        return clients.connect(server.chatUri(), query);
    }

    protected TestClient join(EmbeddedServer server, String user) {
        return clients.join(server.chatUri(), user);
    }

    @Test
    void everyConnectionOnEveryServerGetsConsecutiveIdsInOneOrder() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        List<TestClient> senders = List.of(join(a, "ann"), join(b, "bob"), join(a, "cat"), join(b, "dan"));
        int each = 50;
        ExecutorService pool = Executors.newFixedThreadPool(senders.size());
        List<Future<?>> sent = new ArrayList<>();
        for (TestClient sender : senders) {
            sent.add(pool.submit(() -> {
                for (int i = 0; i < each; i++) {
                    sender.say("m" + i);
                }
            }));
        }
        for (Future<?> f : sent) {
            f.get();
        }
        pool.shutdown();
        List<String> first = null;
        for (TestClient client : senders) {
            List<String> seen = new ArrayList<>();
            for (int id = 1; id <= each * senders.size(); id++) {
                JsonObject chat = client.nextChat();
                assertEquals(id, chat.getInt("id"), "ids are consecutive, each once");
                seen.add(chat.getString("user") + ":" + chat.getString("msg"));
            }
            if (first == null) {
                first = seen;
            } else {
                assertEquals(first, seen, "one order for everyone");
            }
        }
        for (String name : List.of("ann", "bob", "cat", "dan")) {
            List<String> own = first.stream().filter(s -> s.startsWith(name + ":")).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < each; i++) {
                expected.add(name + ":m" + i);
            }
            assertEquals(expected, own, "a sender's messages keep their order");
        }
    }

    /**
     * Protocol version 3 across servers: a connection on each server in the same three rooms, each
     * sending to all three at once, sees every room's messages with consecutive ids in the one
     * order the other connection sees them in.
     */
    @Test
    void connectionsOnTwoServersInTheSameThreeRoomsSeeOneOrderPerRoom() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        List<String> rooms = List.of(room, room + "-2", room + "-3");
        TestClient ann = connect(a, "&v=3&user=ann");
        TestClient bob = connect(b, "&v=3&user=bob");
        for (TestClient client : List.of(ann, bob)) {
            assertEquals(room, client.welcome().getString("room"));
            for (String other : rooms.subList(1, 3)) {
                client.send("{\"type\":\"subscribe\",\"room\":\"" + other + "\"}");
            }
        }
        int each = 20;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> sent = new ArrayList<>();
        for (TestClient sender : List.of(ann, bob)) {
            sent.add(pool.submit(() -> {
                for (int i = 0; i < each; i++) {
                    for (String r : rooms) {
                        sender.send("{\"type\":\"chat\",\"room\":\"" + r + "\",\"msg\":\"m" + i + "\"}");
                    }
                }
            }));
        }
        for (Future<?> f : sent) {
            f.get();
        }
        pool.shutdown();
        Map<String, List<String>> first = null;
        for (TestClient client : List.of(ann, bob)) {
            Map<String, List<String>> seen = new HashMap<>();
            rooms.forEach(r -> seen.put(r, new ArrayList<>()));
            int chats = 0;
            while (chats < each * 2 * rooms.size()) {
                JsonObject frame = client.next();
                if (!frame.getString("type").equals("chat")) {
                    continue; // welcomes of the rooms subscribed, and presence
                }
                chats++;
                List<String> inRoom = seen.get(frame.getString("room"));
                assertEquals(inRoom.size() + 1, frame.getInt("id"), () -> "ids are consecutive in " + frame.getString("room"));
                inRoom.add(frame.getString("user") + ":" + frame.getString("msg"));
            }
            if (first == null) {
                first = seen;
            } else {
                assertEquals(first, seen, "one order per room for everyone, on either server");
            }
        }
        for (String r : rooms) {
            for (String name : List.of("ann", "bob")) {
                List<String> own = first.get(r).stream().filter(s -> s.startsWith(name + ":")).toList();
                assertEquals(each, own.size(), () -> name + "'s messages in " + r);
                assertEquals(name + ":m" + (each - 1), own.get(each - 1), "a sender's messages keep their order");
            }
        }
    }

    @Test
    void aNameIsOnlineOnceAcrossServers() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient bob = join(b, "bob");
        TestClient alice = connect(a, "&user=alice");
        assertEquals(List.of("alice", "bob"), TestClient.strings(alice.welcome(), "users"));
        JsonObject joined = bob.next("join");
        assertEquals("alice", joined.getString("user"));
        assertEquals(2, joined.getInt("online"));

        TestClient aliceAgain = connect(b, "&user=alice"); // her second connection, on the other server
        assertEquals(List.of("alice", "bob"), TestClient.strings(aliceAgain.welcome(), "users"));
        alice.close();
        aliceAgain.say("still here");
        assertEquals("still here", bob.next("chat").getString("msg"), "no leave while she is on a server");
        aliceAgain.close();
        JsonObject left = bob.next("leave");
        assertEquals("alice", left.getString("user"));
        assertEquals(1, left.getInt("online"));
    }

    @Test
    void aClientResumesOnTheOtherServerWithExactlyWhatItMissed() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient reader = connect(a, "&user=reader");
        JsonObject welcome = reader.welcome();
        String epoch = welcome.getString("epoch");
        TestClient writer = join(b, "writer");
        reader.next("join");
        writer.say("one");
        assertEquals(1, reader.next("chat").getInt("id"));
        reader.close();
        for (int i = 2; i <= 5; i++) {
            writer.say("m" + i);
        }
        for (int id = 1; id <= 5; id++) {
            assertEquals(id, writer.nextChat().getInt("id"));
        }
        TestClient resumed = connect(b, "&user=reader&since=1&epoch=" + epoch);
        JsonObject again = resumed.welcome();
        assertTrue(again.getBoolean("recovered"));
        assertEquals(epoch, again.getString("epoch"));
        for (int id = 2; id <= 5; id++) {
            JsonObject chat = resumed.next("chat");
            assertEquals(id, chat.getInt("id"));
            assertEquals("m" + id, chat.getString("msg"));
        }
    }

    @Test
    void historyIdsAndEpochSurviveARestartOfEveryChatServer() throws Exception {
        EmbeddedServer a = server();
        TestClient writer = join(a, "writer");
        for (int i = 1; i <= 3; i++) {
            writer.say("before " + i);
            writer.nextChat();
        }
        String epoch = connect(a, "").welcome().getString("epoch");
        chats.close(); // every server stops

        EmbeddedServer restarted = server();
        TestClient back = connect(restarted, "&user=writer&since=1&epoch=" + epoch);
        JsonObject welcome = back.welcome();
        assertEquals(epoch, welcome.getString("epoch"), "the epoch changes only when Redis lost the room");
        assertEquals(3, welcome.getInt("lastId"));
        assertTrue(welcome.getBoolean("recovered"));
        assertEquals("before 2", back.next("chat").getString("msg"));
        assertEquals("before 3", back.next("chat").getString("msg"));
        back.say("after");
        assertEquals(4, back.nextChat().getInt("id"));
    }

    @Test
    void aNameSubscribedOnTwoServersLeavesARoomWithItsLastConnectionInItAnywhere() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient watcher = join(a, "watcher");
        TestClient onA = connect(a, "&v=3&user=ann");
        onA.welcome();
        assertEquals("ann", watcher.next("join").getString("user"));
        TestClient onB = clients.add(TestClient.connect(URI.create(b.chatUri() + "?v=3&user=ann&room=" + room + "-elsewhere")));
        assertEquals(room + "-elsewhere", onB.welcome().getString("room"));
        onB.send("{\"type\":\"subscribe\",\"room\":\"" + room + "\"}");
        assertEquals(List.of("ann", "watcher"), TestClient.strings(onB.next("welcome"), "users"));
        awaitServersWith(room, "ann", 2); // B's record of her may still be on its way when A's goes
        onA.send("{\"type\":\"unsubscribe\",\"room\":\"" + room + "\"}");
        assertEquals(room, onA.next("unsubscribed").getString("room"));
        watcher.say("still one ann here");
        assertEquals("chat", watcher.next().getString("type"), "her connection on B keeps her in the room");
        onB.send("{\"type\":\"unsubscribe\",\"room\":\"" + room + "\"}");
        JsonObject leave = watcher.next("leave");
        assertEquals("ann", leave.getString("user"));
        assertEquals(room, leave.getString("room"));
        assertEquals(1, leave.getInt("online"));
        assertTrue(onA.isOpen() && onB.isOpen(), "unsubscribing closes nothing");
    }

    @Test
    void theRoomDirectoryIsOneAcrossServers() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient onA = connect(a, "&user=ann");
        onA.welcome();
        TestClient onB = clients.add(TestClient.connect(URI.create(b.chatUri() + "?room=" + room + "-b&user=bob")));
        onB.welcome();
        TestClient alsoB = connect(b, "&user=cid");
        alsoB.welcome();
        onA.next("join");
        for (TestClient asking : List.of(onA, onB)) {
            asking.send("{\"type\":\"rooms\"}");
            List<JsonObject> rooms = asking.next("rooms").getJsonArray("rooms").getValuesAs(JsonObject.class);
            List<String> listed = rooms.stream().map(r -> r.getString("room") + ":" + r.getInt("online")).toList();
            assertEquals(List.of(room + ":2", room + "-b:1"), listed, "one directory, whichever server is asked");
        }
    }

    /**
     * What a member saw is in the directory at once: their own welcome to a new room, a join made on
     * the other server. Many rooms, each asked about the moment its welcome or join arrives: the
     * directory is written by commands apart from the presence script (one hash slot a script), and
     * a reader that ran ahead of them answered without the room, or with the count before the join.
     */
    @Test
    void theDirectoryCountsAWelcomeOrJoinAsSoonAsItIsSeen() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient asker = connect(a, "&user=asker");
        asker.welcome();
        for (int i = 0; i < 25; i++) {
            String fresh = room + "-fresh" + i;
            TestClient ann = clients.add(TestClient.connect(URI.create(a.chatUri() + "?room=" + fresh + "&user=ann" + i)));
            ann.welcome();
            ann.send("{\"type\":\"rooms\"}");
            assertEquals(1, online(ann.next("rooms"), fresh), () -> "the welcome to " + fresh + " counted");
            TestClient bob = clients.add(TestClient.connect(URI.create(b.chatUri() + "?room=" + fresh + "&user=bob" + i)));
            bob.welcome();
            ann.next("join");
            ann.send("{\"type\":\"rooms\"}");
            assertEquals(2, online(ann.next("rooms"), fresh), () -> "the join from the other server counted in " + fresh);
            ann.close();
            bob.close();
        }
    }

    /** How many the answer lists online in {@code room}; -1 when it does not list it. */
    private static int online(JsonObject rooms, String room) {
        return rooms.getJsonArray("rooms").getValuesAs(JsonObject.class).stream()
                .filter(entry -> entry.getString("room").equals(room)).mapToInt(entry -> entry.getInt("online"))
                .findFirst().orElse(-1);
    }

    @Test
    void aDirectMessageOnOneServerIsNoticedToTheOtherNameOnAnother() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient annOnA = connect(a, "&user=ann");
        annOnA.welcome();
        TestClient bobOnB = clients.add(TestClient.connect(URI.create(b.chatUri() + "?user=bob&room="
                + URLEncoder.encode("@ann", StandardCharsets.UTF_8))));
        assertEquals("@ann+bob", bobOnB.welcome().getString("room"));
        bobOnB.say("across");
        JsonObject notice = annOnA.next("notice");
        assertEquals("@ann+bob", notice.getString("room"));
        assertEquals("bob", notice.getString("user"));
        assertEquals("across", notice.getString("msg"));
        TestClient annOnAInIt = clients.add(TestClient.connect(URI.create(a.chatUri() + "?user=ann&room="
                + URLEncoder.encode("@ann+bob", StandardCharsets.UTF_8))));
        annOnAInIt.welcome();
        assertEquals("across", annOnAInIt.nextChat().getString("msg"), "one conversation, whichever server holds it");
    }

    @Test
    void aDirectConversationIsToldWhetherTheOtherNameIsOnlineOnAnyServer() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient bobOnB = join(b, "bob");
        TestClient annOnA = clients.add(TestClient.connect(URI.create(a.chatUri() + "?v=3&user=ann&room="
                + URLEncoder.encode("@bob", StandardCharsets.UTF_8))));
        JsonObject welcome = annOnA.welcome();
        assertEquals(true, welcome.getBoolean("otherOnline"), () -> "bob is on the other server: " + welcome);
        bobOnB.close();
        JsonObject offline = annOnA.next("online");
        assertEquals("@ann+bob", offline.getString("room"));
        assertEquals("bob", offline.getString("user"));
        assertEquals(false, offline.getBoolean("online"), () -> "bob's last connection anywhere closed: " + offline);
        TestClient bobOnA = join(a, "bob");
        assertEquals(true, annOnA.next("online").getBoolean("online"), "bob is back, on the server ann is on");
        TestClient bobAgainOnB = join(b, "bob"); // a second server with bob: nothing changes
        bobOnA.close();
        annOnA.send("{\"type\":\"ping\"}");
        assertEquals("pong", annOnA.next().getString("type"), "bob is still online, on the other server");
        bobAgainOnB.close();
        assertEquals(false, annOnA.next("online").getBoolean("online"));
    }

    @Test
    void aNameWhoseServerDiedGoesOfflineOnceItsEntryExpires() throws Exception {
        EmbeddedServer a = server();
        join(a, "bob").close(); // held, then gone
        // bob on a server that died: its entry, never renewed, lives a second or two; a version above any before
        long seconds = Long.parseLong(ask("TIME").get(0));
        ask("ZADD chat:online:{bob} " + (seconds + 2) * 1000 + " dead-server");
        ask("HSET chat:online:{bob}:state v " + (seconds + 10) * 1_000_000 + " on 1");
        TestClient annOnA = clients.add(TestClient.connect(URI.create(a.chatUri() + "?v=3&user=ann&room="
                + URLEncoder.encode("@bob", StandardCharsets.UTF_8))));
        assertEquals(true, annOnA.welcome().getBoolean("otherOnline"), "as Redis says, until the entry expires");
        JsonObject offline = annOnA.next("online"); // within a period or two of the expiry (1 s each here)
        assertEquals(false, offline.getBoolean("online"), () -> "swept: " + offline);
    }

    @Test
    void aNameClaimedOnOneServerIsHeldOnEveryServerAndAfterTheirRestart() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        String key = connect(a, "&user=zoe&key=").welcome().getString("key");
        connect(b, "&user=zoe&key=").expectError("name-taken");
        assertEquals(key, connect(b, "&user=zoe&key=" + key).welcome().getString("key"));

        chats.close(); // every server stops
        EmbeddedServer restarted = server();
        connect(restarted, "&user=zoe&key=").expectError("name-taken");
        assertEquals("zoe", connect(restarted, "&user=zoe&key=" + key).welcome().getString("user"));
    }
}

package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Moderation on the Redis engine with two chat servers on one real redis-server: a ban or a mute
 * made on one server holds on the other at once, and a ban holds for servers started after every
 * server before them stopped (the room's sanctions hash in Redis, kept at least until it ends).
 */
class RedisModerationTest {

    private static final long HUNDRED_DAYS = 100 * 86_400L;

    @RegisterExtension
    final RedisChats chats = RedisChats.withRedis();
    private final RoomClients clients = chats.clients;
    private final String room = clients.room;

    /** A server on the test's Redis where {@code boss} is a moderator. */
    private EmbeddedServer server() throws Exception {
        ChatConfig config = RedisChats.config(chats.redis().url(), 3);
        return chats.start(config.withSecurity(config.security().withModerators(List.of("boss"))));
    }

    private TestClient v3(EmbeddedServer server, String user) {
        TestClient client = clients.connect(server.chatUri(), "&v=3&user=" + user);
        client.welcome();
        return client;
    }

    /** The next frame that is not presence, of this type. */
    private static JsonObject nextEntry(TestClient client, String type) {
        JsonObject frame = RedisRoomLogTest.nextEntry(client);
        assertEquals(type, frame.getString("type"), frame::toString);
        return frame;
    }

    private static void moderate(TestClient boss, String action, String user, long seconds) {
        boss.send("{\"type\":\"" + action + "\",\"user\":\"" + user + "\",\"seconds\":" + seconds
                + ",\"reason\":\"spam\"}");
    }

    /** Connections of a banned name to the room on {@code server}: refused, in the query with 1008, by subscribe left open. */
    private void assertRefused(EmbeddedServer server, String user) {
        for (String query : List.of("&v=3&user=" + user, "&user=" + user)) {
            TestClient refused = clients.connect(server.chatUri(), query);
            assertEquals("spam", refused.expectError("banned").getString("reason"), query);
            refused.expectClose(1008);
        }
        TestClient elsewhere = clients.add(TestClient.connect(java.net.URI.create(server.chatUri()
                + "?v=3&room=elsewhere-" + room + "&user=" + user)));
        elsewhere.welcome();
        elsewhere.send("{\"type\":\"subscribe\",\"room\":\"" + room + "\"}");
        assertEquals(room, elsewhere.expectError("banned").getString("room"));
        assertTrue(elsewhere.isOpen(), "a refused subscribe leaves the connection open");
    }

    @Test
    void aBanOnOneServerRemovesTheNameOnAnotherAndRefusesItThere() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient boss = v3(a, "boss");
        TestClient bob = v3(b, "bob");
        TestClient old = clients.join(b.chatUri(), "bob");
        TestClient ann = v3(b, "ann");
        moderate(boss, "ban", "bob", 3600);
        JsonObject entry = nextEntry(boss, "moderation");
        assertEquals("ban", entry.getString("action"));
        assertEquals(entry, nextEntry(bob, "moderation"), "the same entry on B");
        JsonObject banned = nextEntry(bob, "error");
        assertEquals("banned", banned.getString("code"));
        assertEquals(room, banned.getString("room"));
        assertEquals("spam", banned.getString("reason"));
        assertTrue(bob.isOpen(), "a version-3 connection stays open in no room");
        assertEquals("spam", nextEntry(old, "error").getString("reason"), "version 1: banned");
        old.expectClose(1008);
        assertEquals(entry, nextEntry(ann, "moderation"));
        assertRefused(b, "bob");
        bob.send("{\"type\":\"subscribe\",\"room\":\"" + room + "\"}");
        assertEquals(room, bob.expectError("banned").getString("room"));

        moderate(boss, "ban", "bob", 0);
        assertEquals("unban", nextEntry(boss, "moderation").getString("action"));
        assertEquals("unban", nextEntry(ann, "moderation").getString("action"), "B has it too");
        assertEquals(room, clients.connect(b.chatUri(), "&user=bob").welcome().getString("room"), "bob may come back on B");
    }

    @Test
    void aBanHoldsAcrossARestartOfEveryServerAndItsKeyLastsAsLongAsTheBan() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient boss = v3(a, "boss");
        v3(b, "bob");
        moderate(boss, "ban", "bob", HUNDRED_DAYS); // longer than CHAT_HISTORY_DAYS (30 by default)
        moderate(boss, "mute", "ann", 60);
        nextEntry(boss, "moderation");
        nextEntry(boss, "moderation");
        String sanctions = "chat:{" + room + "}:sanctions";
        long ttl = Long.parseLong(chats.redis().command("TTL " + sanctions).substring(1));
        assertTrue(ttl > HUNDRED_DAYS - 60 && ttl <= HUNDRED_DAYS, "kept until the ban ends: " + ttl);
        assertTrue(Long.parseLong(chats.redis().command("TTL chat:{" + room + "}:log").substring(1)) < ttl,
                "longer than the room's log");

        chats.close(); // every server and client goes; Redis stays
        EmbeddedServer c = server();
        EmbeddedServer d = server();
        assertRefused(c, "bob");
        assertRefused(d, "bob");
        TestClient ann = v3(d, "ann");
        ann.say("may I?");
        assertEquals("muted", nextEntry(ann, "error").getString("code"), "a mute holds across restarts too");
        TestClient carl = v3(c, "carl");
        carl.say("still open to others");
        assertEquals("still open to others", nextEntry(carl, "chat").getString("msg"));

        TestClient bossAgain = v3(c, "boss");
        assertEquals("still open to others", nextEntry(bossAgain, "chat").getString("msg"), "the backlog");
        bossAgain.send("{\"type\":\"ban\",\"user\":\"dan\",\"reason\":\"spam\"}"); // until lifted
        assertEquals("dan", nextEntry(bossAgain, "moderation").getString("user"));
        assertEquals(":-1", chats.redis().command("TTL " + sanctions), "a ban with no end keeps the hash for good");
        moderate(bossAgain, "ban", "dan", 0);
        nextEntry(bossAgain, "moderation");
        ttl = Long.parseLong(chats.redis().command("TTL " + sanctions).substring(1));
        assertTrue(ttl > HUNDRED_DAYS - 120 && ttl <= HUNDRED_DAYS, "lifted: until the longest ban left ends: " + ttl);
    }

    @Test
    void aMuteOnOneServerRefusesChatOnAnother() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        TestClient boss = v3(a, "boss");
        TestClient bob = v3(b, "bob");
        moderate(boss, "mute", "bob", 600);
        assertEquals("mute", nextEntry(bob, "moderation").getString("action"));
        bob.say("let me speak");
        assertEquals("muted", nextEntry(bob, "error").getString("code"));
        moderate(boss, "mute", "bob", 0);
        assertEquals("unmute", nextEntry(bob, "moderation").getString("action"));
        bob.say("thanks");
        assertEquals(List.of("mute", "unmute", "thanks"), List.of(nextEntry(boss, "moderation").getString("action"),
                nextEntry(boss, "moderation").getString("action"), nextEntry(boss, "chat").getString("msg")),
                "nothing refused reached A");
    }

    /**
     * B misses two bans while its subscription is cut, and Redis no longer holds their entries when
     * B is back (history 3: twelve reactions after them push them out): B's sync loads the room's
     * bans with the gap, and the banned names' connections there go as the entries would have
     * removed them, on every version.
     */
    @Test
    void aBanMissedInAGapRedisNoLongerHoldsStillRemovesTheNameOnTheServerThatMissedIt() throws Exception {
        ChatConfig config = RedisChats.config(chats.redis().url(), 3).withHistory(3, 3);
        EmbeddedServer a = chats.start(config.withSecurity(config.security().withModerators(List.of("boss"))));
        try (CuttingProxy proxy = new CuttingProxy(chats.redis().port())) {
            ChatConfig viaProxy = RedisChats.config(proxy.url(), 3).withHistory(3, 3);
            EmbeddedServer b = chats.start(viaProxy.withSecurity(viaProxy.security().withModerators(List.of("boss"))));
            TestClient boss = v3(a, "boss");
            TestClient bob = v3(b, "bob");
            TestClient olga = clients.join(b.chatUri(), "olga"); // version 1
            TestClient wes = v3(b, "wes");
            boss.say("hello");
            nextEntry(boss, "chat");
            assertEquals("hello", nextEntry(bob, "chat").getString("msg"));
            assertEquals("hello", olga.nextChat().getString("msg"));
            nextEntry(wes, "chat");

            proxy.holdSubscribers(); // B misses what follows on its channel until it syncs
            for (String name : List.of("bob", "olga")) {
                boss.send("{\"type\":\"ban\",\"user\":\"" + name + "\",\"reason\":\"spam\"}");
                nextEntry(boss, "moderation");
            }
            for (int i = 0; i < 12; i++) { // the other entries kept: 12; the bans' go
                boss.send("{\"type\":\"react\",\"id\":1,\"emoji\":\"👍\",\"on\":" + (i % 2 == 0) + "}");
                nextEntry(boss, "reaction");
            }
            String log = "chat:{" + room + "}:log";
            assertEquals("*0", chats.redis().command("XRANGE " + log + " 2-0 3-0"), "Redis no longer holds the bans' entries");
            proxy.cutSubscribers(500); // what was held is lost with the connection: B syncs when it is back
            proxy.releaseSubscribers();

            assertEquals("spam", bob.expectError("banned").getString("reason"), "removed on B after all");
            assertTrue(bob.isOpen(), "a version-3 connection leaves the room, not the connection");
            assertEquals("spam", olga.expectError("banned").getString("reason"));
            olga.expectClose(1008);
            JsonObject next = nextEntry(wes, "reaction");
            assertEquals(4, next.getInt("id"), "the others get what B could still read after the gap");
            assertRefused(b, "bob");
        }
    }
}

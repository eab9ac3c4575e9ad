package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A name whose hold ran out in Redis and that someone else claimed does not inherit its direct
 * conversations, on two real servers sharing one real redis-server. The month a hold lasts is
 * made to pass as Redis would end it: its key expires ({@code PEXPIRE}).
 */
class RecycledNameRedisTest {

    @RegisterExtension
    final RedisChats chats = RedisChats.withRedis();
    private final RoomClients clients = chats.clients;

    private EmbeddedServer server() throws Exception {
        return chats.start(chats.redis().url());
    }

    /** A connection to {@code server} with {@code query}, closed after the test. */
    private TestClient connect(EmbeddedServer server, String query) {
        return clients.add(TestClient.connect(java.net.URI.create(server.chatUri() + "?" + query)));
    }

    private static String direct(String with) {
        return "room=" + URLEncoder.encode("@" + with, StandardCharsets.UTF_8);
    }

    /** The messages of the history answer to a request sent now: what the client may scroll back to. */
    private static int scrollback(TestClient client) {
        client.send("{\"type\":\"history\",\"limit\":100}");
        while (true) {
            JsonObject frame = client.next();
            if (frame.getString("type").equals("chat")) {
                throw new AssertionError("a message of the conversation before: " + frame);
            }
            if (frame.getString("type").equals("history")) {
                return frame.getJsonArray("messages").size();
            }
        }
    }

    @Test
    void aNewClaimOfANameReadsNothingOfItsOldDirectConversationsOnAnyServer() throws Exception {
        EmbeddedServer a = server();
        EmbeddedServer b = server();
        clients.join(b.chatUri(), "bob"); // bob holds his name (with the test key of his)
        TestClient oldAlice = connect(a, "user=alice&key=&" + direct("bob"));
        JsonObject oldWelcome = oldAlice.welcome();
        String epoch = oldWelcome.getString("epoch");
        oldAlice.say("for bob only");
        oldAlice.nextChat();
        TestClient bob = connect(b, "user=bob&" + direct("alice"));
        assertEquals("@alice+bob", bob.welcome().getString("room"));
        assertEquals("for bob only", bob.nextChat().getString("msg"));
        bob.say("for alice only");
        assertEquals("for alice only", bob.nextChat().getString("msg"));
        assertEquals("for alice only", oldAlice.nextChat().getString("msg"));

        TestClient sameAlice = connect(a, "user=alice&key=" + oldWelcome.getString("key") + "&" + direct("bob"));
        assertEquals(epoch, sameAlice.welcome().getString("epoch"), "the same claim: the same conversation");
        assertEquals("for bob only", sameAlice.nextChat().getString("msg"));
        assertEquals("for alice only", sameAlice.nextChat().getString("msg"));
        oldAlice.close();
        sameAlice.close();
        bob.next("leave"); // her servers let go of her name: its hold runs from now

        // Her hold runs out. Each of her two connections' closes sets its time to run from then, and
        // the second may land just after this: so it is made to run out until it is gone.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!":0".equals(chats.redis().command("EXISTS chat:name:alice"))) {
            assertTrue(System.nanoTime() < deadline, "the hold is gone within 5 s");
            chats.redis().command("PEXPIRE chat:name:alice 1");
            Thread.sleep(5);
        }
        TestClient newAlice = connect(a, "user=alice&key=&" + direct("bob"));
        JsonObject welcome = newAlice.welcome();
        assertNotEquals(oldWelcome.getString("key"), welcome.getString("key"), "claimed anew, with a new key");
        assertNotEquals(epoch, welcome.getString("epoch"), "a new conversation");
        assertEquals(0, welcome.getJsonNumber("lastId").longValue());
        assertEquals(0, scrollback(newAlice), "nothing of before, in her welcome's backlog or her scrollback");
        assertEquals(1012, bob.skipToClose().code(), "bob's view of the old one, on the other server, closes");

        TestClient bobBack = connect(b, "user=bob&" + direct("alice") + "&since=2&epoch=" + epoch);
        JsonObject bobWelcome = bobBack.welcome();
        assertEquals(welcome.getString("epoch"), bobWelcome.getString("epoch"));
        assertFalse(bobWelcome.getBoolean("recovered"));
        assertEquals(0, scrollback(bobBack));
        bobBack.say("hello, whoever you are");
        JsonObject hello = newAlice.nextChat();
        assertEquals("hello, whoever you are", hello.getString("msg"));
        assertEquals(1, hello.getJsonNumber("id").longValue(), "the new conversation's first message");
    }

    /**
     * A hold written before names were held by their skeleton sits under its spelling
     * ({@code chat:name:Alice}): after the upgrade it is still its holder's, not the first comer's,
     * and its holder's next claim moves it under the skeleton.
     */
    @Test
    void aNameHeldBeforeSkeletonsIsStillItsHoldersAfterTheUpgrade() throws Exception {
        String key = dev.jchat.room.Names.newKey();
        assertEquals(":1", chats.redis().command("HSET chat:name:Alice digest " + dev.jchat.room.Names.digest(key)));
        assertEquals(":1", chats.redis().command("EXPIRE chat:name:Alice 3600"));
        EmbeddedServer a = server();
        TestClient bob = connect(a, "user=bob&" + direct("Alice"));
        assertEquals("@Alice+bob", bob.welcome().getString("room"), "Alice is held: bob may write to her");
        TestClient thief = connect(a, "user=Alice");
        thief.expectError("name-taken");
        thief.expectClose(1008);
        TestClient alice = connect(a, "user=Alice&key=" + key);
        assertEquals(key, alice.welcome().getString("key"), "her key still proves her name");
        assertEquals(":0", chats.redis().command("EXISTS chat:name:Alice"), "the old hold is moved");
        assertEquals(":1", chats.redis().command("EXISTS chat:name:alice"), "under the skeleton");
        TestClient lookalike = connect(a, "user=ALICE");
        lookalike.expectError("name-taken");
    }
}

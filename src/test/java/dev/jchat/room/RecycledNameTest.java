package dev.jchat.room;

import dev.jchat.ChatHub;
import dev.jchat.connection.Connections;
import dev.jchat.connection.FakeSession;
import dev.jchat.connection.Member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.engine.memory.LocalRooms;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A name whose hold ran out and that someone else claimed does not inherit its direct
 * conversations, in memory: the month a hold lasts passes on the clock the name holds run by.
 * (The same on Redis, on real servers: {@code dev.jchat.engine.redis.RecycledNameRedisTest}.)
 */
class RecycledNameTest {

    private final ChatConfig config = ChatConfig.defaults();
    private final AtomicLong clock = new AtomicLong(System.nanoTime());
    private final ChatHub hub = new ChatHub(config, h -> new LocalRooms(config, h, clock::get), Connections.NONE);

    @AfterEach
    void stop() {
        hub.shutdown(Duration.ZERO);
    }

    /** A connection of the test's, in its room. */
    private record In(Member member, Room room, FakeSession session) {

        List<JsonObject> frames() {
            return session.sent.stream().map(RecycledNameTest::json).toList();
        }

        List<String> chats() {
            return frames().stream().filter(f -> f.getString("type").equals("chat")).map(f -> f.getString("msg")).toList();
        }
    }

    /** A connection with {@code ?user=name} and, or not ({@code null}), a key, joined to {@code room}. */
    private In join(String name, String key, String room) throws Exception {
        FakeSession session = new FakeSession(name + "-" + room, FakeSession.Sends.COMPLETE);
        Member member = hub.open(session.session);
        member.name(name);
        member.claims(key);
        assertNull(member.settleName(hub.rooms().names()).toCompletableFuture().join(), "the name is settled");
        return new In(member, hub.enter(member, room, room, null, null), session);
    }

    private static JsonObject json(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }

    @Test
    void aNewClaimOfANameReadsNothingOfItsOldDirectConversations() throws Exception {
        In bobHome = join("bob", null, "lobby");
        String bobKey = bobHome.member().key();
        In oldAlice = join("alice", null, "@alice+bob");
        oldAlice.room().publish(oldAlice.member(), "for bob only");
        In bob = join("bob", bobKey, "@alice+bob");
        JsonObject welcome = bob.frames().get(0);
        String epoch = welcome.getString("epoch");
        assertEquals(List.of("for bob only"), bob.chats());
        bob.room().publish(bob.member(), "for alice only");
        In aliceAgain = join("alice", oldAlice.member().key(), "@alice+bob"); // the same claim: the same conversation
        assertEquals(epoch, aliceAgain.frames().get(0).getString("epoch"));
        assertEquals(List.of("for bob only", "for alice only"), aliceAgain.chats());
        hub.closed(aliceAgain.member());
        hub.closed(oldAlice.member());

        clock.addAndGet(TimeUnit.DAYS.toNanos(config.security().nameHoldDays() + 1)); // her hold runs out
        In newAlice = join("alice", null, "@alice+bob");
        assertTrue(newAlice.member().claimedNew(), "nobody held it: claimed with a new key");
        JsonObject newWelcome = newAlice.frames().get(0);
        assertEquals("welcome", newWelcome.getString("type"));
        assertNotEquals(epoch, newWelcome.getString("epoch"), "a new conversation");
        assertEquals(0, newWelcome.getJsonNumber("lastId").longValue());
        newAlice.room().history(newAlice.member(), null, 100);
        List<JsonObject> seen = newAlice.frames();
        assertEquals(List.of(), newAlice.chats(), () -> "no backlog: " + seen);
        JsonObject history = seen.stream().filter(f -> f.getString("type").equals("history")).findFirst().orElseThrow();
        assertEquals(0, history.getJsonArray("messages").size(), () -> "no scrollback: " + seen);
        assertTrue(bob.session().closed.await(5, TimeUnit.SECONDS), "bob's view of the old conversation closes");
        assertEquals(1012, bob.session().closeReason.getCloseCode().getCode());

        In bobBack = join("bob", bobKey, "@alice+bob");
        assertEquals(newWelcome.getString("epoch"), bobBack.frames().get(0).getString("epoch"));
        assertEquals(List.of(), bobBack.chats());
        bobBack.room().publish(bobBack.member(), "hello, whoever you are");
        assertEquals(List.of("hello, whoever you are"), newAlice.chats());
    }
}

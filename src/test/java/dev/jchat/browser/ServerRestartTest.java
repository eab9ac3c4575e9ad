package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.TestClient;
import dev.jchat.browser.ChatPage.Item;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The page rides out a server restart on the same port, misses nothing said while it was away, and, the
 * in-memory server having lost what came before, shows what it holds now and says the rest is gone.
 */
class ServerRestartTest {

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    private static final Pattern COUNTDOWN = Pattern.compile("reconnecting in (\\d+) s");
    private static final String ROOM = "restart";

    private EmbeddedServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void afterARestartThePageReconnectsAndShowsWhatTheServerHoldsOnceInOrder() throws Exception {
        server = EmbeddedServer.start(ChatConfig.defaults().withPort(0));
        int port = server.port();
        ChatPage alice = browsers.launch().open(server.pageUri()).join("Alice", ROOM);
        try (TestClient bob = connectBob()) {
            bob.welcome();
            bob.say("before one");
            bob.say("before two");
            alice.awaitTexts(List.of("before one", "before two"));
        }
        alice.awaitUsers("Alice");
        String before = alice.messages().get(0).epoch();

        server.close();
        server = null;
        alice.awaitStatus(Duration.ofSeconds(15), "a reconnect countdown", status -> COUNTDOWN.matcher(status).matches());
        assertEquals("reconnecting", alice.statusState());
        // The backoff doubles with each failed attempt; once the page waits more than 4 s, Bob can
        // reconnect and speak before it is back, however slow this machine is.
        alice.awaitStatus(Duration.ofSeconds(30), "a reconnect at least 5 s away", ServerRestartTest::atLeastFiveSeconds);

        server = EmbeddedServer.start(ChatConfig.defaults().withPort(port));
        List<String> meanwhile = List.of("while away one", "while away two", "while away three");
        try (TestClient bob = connectBob()) {
            JsonObject welcome = bob.welcome();
            assertEquals(List.of("Bob"), welcome.getJsonArray("users").getValuesAs(JsonString::getString),
                    "the page is not back yet");
            for (String text : meanwhile) {
                bob.say(text);
            }
            for (String text : meanwhile) {
                JsonObject frame = bob.next();
                assertEquals("chat", frame.getString("type"),
                        () -> "Bob's messages were stored before the page came back, but got " + frame);
                assertEquals(text, frame.getString("msg"));
            }

            alice.awaitStatus(Duration.ofSeconds(30), "back online", "online"::equals);
            assertEquals("Alice", bob.next("join").getString("user"), "the page came back after Bob spoke");
            bob.say("after the return");
            alice.awaitTexts(List.of("while away one", "while away two", "while away three", "after the return"));
        }

        List<Item> messages = alice.messages();
        Set<String> seen = new HashSet<>();
        for (Item message : messages) {
            assertTrue(seen.add(message.epoch() + "/" + message.id()), () -> "shown twice: " + message);
        }
        String after = messages.get(0).epoch();
        assertNotEquals(before, after, "the restarted server numbers its messages afresh");
        assertEquals(List.of(after, after, after, after), messages.stream().map(Item::epoch).toList());
        assertEquals(List.of("1", "2", "3", "4"), messages.stream().map(Item::id).toList());
        assertEquals(List.of("The server restarted; earlier messages are gone."),
                alice.notices("restarted").stream().map(Item::text).toList(), "said once, above what the server holds");
        assertTrue(alice.items().get(0).isNotice("restarted"), "nothing of before the restart is left above it");
        assertEquals(List.of(), alice.notices("unrecovered"), "no talk of a gap: everything before is gone");
    }

    private URI bobUri() {
        return URI.create(server.chatUri() + "?user=Bob&room=" + ROOM);
    }

    private TestClient connectBob() {
        return TestClient.connect(bobUri());
    }

    private static boolean atLeastFiveSeconds(String status) {
        Matcher countdown = COUNTDOWN.matcher(status);
        return countdown.matches() && Integer.parseInt(countdown.group(1)) >= 5;
    }
}

package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.ServerExtension;
import dev.jchat.browser.ChatPage.Item;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Keys;

/** Two people in two real browsers: messages, names, times, and the online list as people come and go. */
class ConversationTest {

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    private static final String TIME_SHAPE = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d";
    private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults());

    @Test
    void twoPeopleSeeEachOthersMessagesWithNamesAndTimes() throws Exception {
        Instant start = Instant.now().minusSeconds(1);
        ChatPage alice = browsers.launch().open(server.pageUri()).join("Alice", "");
        assertEquals("lobby", alice.text("room-name"), "an empty room field means the lobby");
        alice.awaitUsers("Alice");
        ChatPage bob = browsers.launch().open(server.pageUri()).join("Bob", "");

        bob.awaitUsers("Alice", "Bob");
        alice.awaitUsers("Alice", "Bob");
        assertEquals("2", alice.text("online-count"));
        assertEquals("Bob joined", alice.notices("join").get(0).text(), "Alice is told that Bob came");
        assertTrue(bob.notices("join").isEmpty(), "nobody announces Bob to himself");

        alice.say("Hi Bob! Did the deploy to staging go through?");
        assertEquals("", alice.input(), "Enter sends and empties the box");
        Item received = bob.awaitMessage("Hi Bob! Did the deploy to staging go through?");
        assertShownAsChat(received, "Alice", bob.timeZone(), start);
        assertFalse(received.isOwn(), "Alice's message is not Bob's own");
        assertTrue(alice.awaitMessage("Hi Bob! Did the deploy to staging go through?").isOwn(),
                "the sender sees her message as her own");

        bob.type("Yes, a few minutes ago. Tomcat and Payara both came up cleanly.");
        bob.clickSend();
        Item reply = alice.awaitMessage("Yes, a few minutes ago. Tomcat and Payara both came up cleanly.");
        assertShownAsChat(reply, "Bob", alice.timeZone(), start);
        assertFalse(reply.isOwn());
        assertTrue(bob.awaitMessage("Yes, a few minutes ago. Tomcat and Payara both came up cleanly.").isOwn());

        alice.type("Great. I'll run the browser tests against it now.", Keys.chord(Keys.SHIFT, Keys.ENTER),
                "Reconnects looked fine in my last run, too.", Keys.ENTER);
        String twoLines = "Great. I'll run the browser tests against it now.\nReconnects looked fine in my last run, too.";
        assertShownAsChat(bob.awaitMessage(twoLines), "Alice", bob.timeZone(), start);
        bob.say("Thanks! Ping me if anything looks off.");
        alice.awaitMessage("Thanks! Ping me if anything looks off.");

        List<String> conversation = List.of(
                "Hi Bob! Did the deploy to staging go through?",
                "Yes, a few minutes ago. Tomcat and Payara both came up cleanly.",
                twoLines,
                "Thanks! Ping me if anything looks off.");
        alice.awaitTexts(conversation);
        bob.awaitTexts(conversation);
        assertEquals(alice.messages().stream().map(Item::id).toList(), bob.messages().stream().map(Item::id).toList(),
                "both see the same messages in the same order");
        alice.browser().screenshot(Path.of(System.getProperty("basedir", "."), "target", "chat-screenshot.png"));
    }

    @Test
    void leavingTakesANameOffTheOnlineList() throws Exception {
        ChatPage alice = browsers.launch().open(server.pageUri()).join("Ada", "leaving");
        ChatPage bob = browsers.launch().open(server.pageUri(), "leaving").join("Ben", null);
        assertEquals("leaving", bob.text("room-name"), "a room link chooses the room");
        alice.awaitUsers("Ada", "Ben");

        bob.element("leave").click();

        alice.awaitUsers("Ada");
        assertEquals("1", alice.text("online-count"));
        assertEquals("Ben left", alice.browser().await(() -> "a leave notice; " + alice.describe(),
                driver -> alice.notices("leave").stream().findFirst().orElse(null)).text());
        assertTrue(bob.visible("join-form"), "Ben is back at the join form");
        assertFalse(bob.visible("chat-view"));
        assertEquals("offline", bob.status());
        assertEquals("Ben", bob.element("name").getDomProperty("value"), "the form keeps his name to rejoin");
        assertNull(bob.browser().script("return localStorage.getItem('chat.name');"),
                "after Leave a reload does not join again");
    }

    @Test
    void closingTheBrowserTakesANameOffTheOnlineList() throws Exception {
        ChatPage alice = browsers.launch().open(server.pageUri()).join("Abe", "closing");
        ChatPage carol = browsers.launch().open(server.pageUri()).join("Carol", "closing");
        alice.awaitUsers("Abe", "Carol");

        browsers.close(carol);

        alice.awaitUsers("Abe");
        assertEquals("Carol left", alice.browser().await(() -> "a leave notice; " + alice.describe(),
                driver -> alice.notices("leave").stream().findFirst().orElse(null)).text());
    }

    /** A received chat message: its author, an avatar, and the server's time in the reader's zone. */
    private static void assertShownAsChat(Item message, String author, ZoneId zone, Instant notBefore) {
        assertEquals(author, message.name());
        assertEquals(author.substring(0, 1).toUpperCase(), message.avatar(), "the avatar shows the initial");
        assertTrue(message.id().matches("[1-9]\\d*"), () -> "a server id: " + message);
        assertEquals("time", message.timeTag(), "the time is a <time> element");
        assertTrue(message.timeTitle().matches(TIME_SHAPE), () -> "full time on hover as YYYY-MM-DD HH:mm:ss: " + message);
        Instant sent = Instant.parse(message.dateTime());
        assertEquals(SHOWN.format(sent.atZone(zone)), message.timeTitle(), "the server's time, in the reader's zone");
        ZonedDateTime local = sent.atZone(zone);
        String minutes = String.format(":%02d", local.getMinute());
        int hour12 = local.getHour() % 12 == 0 ? 12 : local.getHour() % 12;
        assertTrue(message.time().contains(minutes) && message.time().matches(
                ".*\\b0?(" + local.getHour() + "|" + hour12 + ")" + minutes + "(?!:).*"),
                () -> "shown short, hours and minutes only: " + message.time() + " for " + local);
        assertFalse(sent.isBefore(notBefore) || sent.isAfter(Instant.now().plusSeconds(1)),
                () -> "the time of sending: " + sent);
    }
}

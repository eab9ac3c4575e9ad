package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.security.SecurityTokens;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Refusals a retry cannot fix: the page says why and stops connecting until the person joins
 * again; and a token in {@code #token=} gets the page in under the token's name.
 */
class RefusalTest {

    static final String SIGN_IN = "This chat needs you to sign in: the server refused the connection "
            + "(the token is missing, invalid or expired).";
    /** Long enough for several retries of the old page, whose first came after 0.25 to 0.5 s. */
    private static final Duration QUIET = Duration.ofSeconds(5);

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension secured = ServerExtension.embedded(ChatConfig.defaults()
            .withSecurity(ChatConfig.Security.defaults().withJwtSecret(SecurityTokens.SECRET)));

    @RegisterExtension
    static final ServerExtension open = ServerExtension.embedded(ChatConfig.defaults());

    @Test
    void withoutATokenThePageSaysToSignInAndStopsTrying() throws Exception {
        ChatPage page = browsers.launch().open(secured.pageUri());
        page.recordSockets();
        page.submitJoin("Dana", null);

        page.browser().await(() -> "a first connection attempt", driver -> page.socketsOpened() >= 1);
        Thread.sleep(QUIET.toMillis());
        assertEquals(1, page.socketsOpened(), () -> "one attempt, then no more; " + page.describe());
        assertStopped(page, SIGN_IN);

        page.element("leave").click();
        assertTrue(page.visible("join-form"), "Leave is the way back");
        page.submitJoin("Dana", null);
        page.browser().await(() -> "a second attempt after joining again", driver -> page.socketsOpened() == 2);
        assertStopped(page, SIGN_IN);
        Thread.sleep(1_000);
        assertEquals(2, page.socketsOpened(), "joining again tries exactly once more");
    }

    @Test
    void aRefusedTokenIsDroppedAndThePageSaysWhy() throws Exception {
        String forged = SecurityTokens.signedWith("another-secret-that-is-long-enough-for-hs256", "Erin");
        ChatPage page = browsers.launch().open(URI.create(secured.pageUri() + "#token=" + forged));
        assertFalse(page.browser().driver().getCurrentUrl().contains("token"), "the token left the address");
        assertEquals(forged, page.sessionItem("chat.token"), "until refused, the tab keeps it");
        page.recordSockets();
        page.submitJoin("Erin", null);

        assertStopped(page, SIGN_IN);
        assertEquals(List.of(List.of("chat.v1", forged)), page.socketProtocols(), "presented beside chat.v1");
        assertNull(page.sessionItem("chat.token"), "a refused token is not presented again");
        Thread.sleep(2_000);
        assertEquals(1, page.socketsOpened(), "no retry with a refused token");
    }

    @Test
    void aValidTokenJoinsUnderItsSubjectAndChats() throws Exception {
        String token = SecurityTokens.valid("Erin");
        URI observerUri = URI.create(secured.chatUri() + "?user=observer&room=tokens&token=" + SecurityTokens.valid("Observer"));
        try (TestClient observer = TestClient.connect(observerUri)) {
            observer.welcome();
            ChatPage page = browsers.launch().open(URI.create(secured.pageUri() + "#room=tokens&token=" + token));
            assertTrue(page.browser().driver().getCurrentUrl().endsWith("#room=tokens"),
                    () -> "the room stays in the address, the token leaves it: " + page.browser().driver().getCurrentUrl());
            page.recordSockets();

            page.join("Whoever", null);
            assertEquals("tokens", page.text("room-name"));
            assertEquals("Erin", observer.next("join").getString("user"), "the token's sub, not the name typed");
            page.awaitUsers("Erin", "Observer");
            assertEquals(List.of(List.of("chat.v1", token)), page.socketProtocols());

            page.say("signed and sent");
            JsonObject chat = observer.nextChat(); // after the page said it was typing
            assertEquals("signed and sent", chat.getString("msg"));
            assertEquals("Erin", chat.getString("user"));
            ChatPage.Item shown = page.awaitMessage("signed and sent");
            assertTrue(shown.isOwn(), "the page knows it is Erin now");
            assertEquals("Erin", shown.name());

            page.reload();
            page.awaitStatus("online");
            page.awaitUsers("Erin", "Observer");
        }
    }

    @Test
    void aPageClosedForFloodingSaysSoAndStops() throws Exception {
        ChatPage page = browsers.launch().open(open.pageUri());
        page.recordSockets();
        page.join("Flood", "flood");
        page.sendRaw("for (let i = 0; i < 300; i++) socket.send(JSON.stringify({ room: 'flood', msg: 'x' + i }));");

        String notice = page.awaitNotice("refused");
        assertTrue(notice.startsWith("The server disconnected you for sending too fast."), notice);
        Thread.sleep(2_000);
        assertEquals(1, page.socketsOpened(), "no reconnect after a close for flooding");
        assertEquals("stopped", page.statusState());
    }

    @Test
    void aBinaryFrameIsABugThePageOwnsUpTo() throws Exception {
        ChatPage page = browsers.launch().open(open.pageUri());
        page.recordSockets();
        page.join("Binary", "binary");
        page.sendRaw("socket.send(new Uint8Array([1, 2, 3]));");

        String notice = page.awaitNotice("refused");
        assertTrue(notice.contains("bug"), notice);
        Thread.sleep(2_000);
        assertEquals(1, page.socketsOpened(), "no reconnect after 1003");
    }

    /** Stopped: the sentence in the list, the status says so, and Leave is there to go back. */
    private static void assertStopped(ChatPage page, String sentence) {
        String notice = page.awaitNotice("refused");
        assertTrue(notice.startsWith(sentence), () -> "the reason, in words: " + notice);
        assertTrue(page.visible("chat-view"));
        assertEquals("stopped", page.statusState());
        assertTrue(page.visible("leave"));
    }
}

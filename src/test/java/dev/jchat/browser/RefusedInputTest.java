package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import jakarta.json.JsonObject;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Keys;

/** What the page refuses itself, with a visible reason, before anything reaches the server. */
class RefusedInputTest {

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults());

    @Test
    void aBlankMessageIsRefusedInThePageAndNothingIsSent() throws Exception {
        try (TestClient observer = TestClient.connect(URI.create(server.chatUri() + "?user=observer&room=blank"))) {
            observer.welcome();
            ChatPage page = browsers.launch().open(server.pageUri()).join("Dana", "blank");
            assertEquals("Dana", observer.next("join").getString("user"));
            page.recordSentFrames();

            page.say("   ");
            assertRefusedAsEmpty(page);
            page.clickSend();
            assertRefusedAsEmpty(page);
            page.type(Keys.chord(Keys.SHIFT, Keys.ENTER), Keys.chord(Keys.SHIFT, Keys.ENTER), Keys.ENTER);
            assertRefusedAsEmpty(page);
            assertEquals(List.of(), page.chatFramesSent(), "a blank message never leaves the page");

            page.type("x");
            assertFalse(page.visible("composer-error"), "typing clears the warning");
            page.element("input").clear();
            page.say("a real message");

            JsonObject first = observer.next();
            JsonObject next = first.getString("type").equals("typing") ? observer.next() : first; // typing "x" said so
            assertEquals("chat", next.getString("type"), () -> "the real message is the first chat sent: " + next);
            assertEquals("a real message", next.getString("msg"));
            assertEquals("Dana", next.getString("user"));
            page.awaitMessage("a real message");
            assertEquals(1, page.chatFramesSent().size(), () -> "only the real message was sent: " + page.chatFramesSent());
            assertFalse(page.visible("composer-error"), "no refusal came back from the server either");
            observer.assertNothingPending();
        }
    }

    @Test
    void aNameThatIsTooShortIsRefusedWithAVisibleMessage() throws Exception {
        ChatPage page = browsers.launch().open(server.pageUri());
        assertFalse(page.visible("join-error"), "no complaint before trying");

        page.submitJoin("Al", null);
        assertRefusedName(page, "Your name needs at least 3 characters.");

        page.submitJoin("  Al  ", null);
        assertRefusedName(page, "Your name needs at least 3 characters.");

        page.submitJoin("Ali", null);
        page.awaitStatus("online");
        assertFalse(page.visible("join-form"), "a valid name gets in");
    }

    private static void assertRefusedAsEmpty(ChatPage page) {
        assertTrue(page.visible("composer-error"), "the page warns about the blank message");
        assertEquals("Type a message first.", page.text("composer-error"));
        assertTrue(page.messages().isEmpty(), "nothing shows up in the list");
    }

    /** The form stays, with the reason visible, and nobody was connected. */
    static void assertRefusedName(ChatPage page, String reason) {
        assertTrue(page.visible("join-error"), "the refusal is visible");
        assertEquals(reason, page.text("join-error"));
        assertEquals("true", page.element("name").getDomAttribute("aria-invalid"));
        assertTrue(page.visible("join-form"));
        assertFalse(page.visible("chat-view"));
        assertEquals("offline", page.status());
        assertNull(page.browser().script("return localStorage.getItem('chat.name');"), "a refused name is not kept");
    }
}

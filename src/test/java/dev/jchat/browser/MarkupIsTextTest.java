package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jchat.config.ChatConfig;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.browser.ChatPage.Item;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;

/** Markup typed by anyone is shown as the characters typed, never run or rendered. */
class MarkupIsTextTest {

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    private static final String IMAGE = "<img src=x onerror=alert(1)>";
    private static final String BOLD = "<b>bold</b>";
    private static final String SCRIPT = "<script>alert(2)</script>";

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults());

    @Test
    void markupInMessagesShowsAsLiteralTextForSenderAndReader() throws Exception {
        ChatPage page = browsers.launch().open(server.pageUri()).join("Mallory", "markup");
        page.recordDialogs();

        page.say(IMAGE);
        page.say(BOLD);
        try (TestClient other = TestClient.connect(URI.create(server.chatUri() + "?user=Trudy&room=markup"))) {
            other.welcome();
            other.say(SCRIPT);
            other.say(BOLD);
            page.awaitTexts(List.of(IMAGE, BOLD, SCRIPT, BOLD));
        }

        for (Item message : page.messages()) {
            assertEquals(0, message.elementsInText(), () -> "the text is one text node: " + message);
        }
        assertEquals(List.of(), page.browser().driver().findElements(By.cssSelector("#messages img, #messages b, #messages script")),
                "no element came out of a message");
        assertEquals(List.of(), page.dialogsOpened(), "no script ran");
        assertThrows(NoAlertPresentException.class, () -> page.browser().driver().switchTo().alert(),
                "no alert is open");
    }

    @Test
    void aNameWithMarkupIsRefusedInTheJoinForm() throws Exception {
        ChatPage page = browsers.launch().open(server.pageUri());
        page.recordDialogs();

        page.submitJoin("<b>Eve</b>", null);
        RefusedInputTest.assertRefusedName(page, "Use only letters, digits, spaces, _ - and . in your name.");

        page.submitJoin(IMAGE, null);
        RefusedInputTest.assertRefusedName(page, "Use only letters, digits, spaces, _ - and . in your name.");
        assertEquals(IMAGE, page.element("name").getDomProperty("value"), "the name stays in the field to be fixed");

        assertEquals(List.of(), page.browser().driver().findElements(By.cssSelector("body img, body b")),
                "the refused name made no element");
        assertEquals(List.of(), page.dialogsOpened(), "no script ran");
        assertThrows(NoAlertPresentException.class, () -> page.browser().driver().switchTo().alert());
    }
}

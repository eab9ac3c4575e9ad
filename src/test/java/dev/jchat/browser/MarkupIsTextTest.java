package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jchat.config.ChatConfig;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.browser.ChatPage.Item;
import jakarta.json.Json;
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
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults()
            .withSecurity(ChatConfig.Security.defaults().withModerators(List.of("Moderator"))));

    /** No letter, digit or space: the server takes it for an emoji. */
    private static final String MARKUP_EMOJI = "<&>";

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
    void markupInAnEditAReactionAndAModerationReasonShowsAsText() throws Exception {
        ChatPage page = browsers.launch().open(server.pageUri()).join("Marvin", "markup-log");
        page.recordDialogs();
        try (TestClient moderator = TestClient.connect(URI.create(server.chatUri() + "?v=3&user=Moderator&room=markup-log"))) {
            moderator.welcome();
            moderator.say("plain words");
            long id = moderator.nextChat().getJsonNumber("id").longValue();
            String target = Long.toString(id);
            moderator.send(Json.createObjectBuilder().add("type", "edit").add("id", id).add("msg", SCRIPT).build().toString());
            moderator.send(Json.createObjectBuilder().add("type", "react").add("id", id).add("emoji", MARKUP_EMOJI).build().toString());
            moderator.send(Json.createObjectBuilder().add("type", "mute").add("user", "Marvin").add("seconds", 600)
                    .add("reason", IMAGE).build().toString());
            Item shown = page.awaitMessageWithId(target, item -> item.edited() && item.reactions().size() == 1, "edited, with a reaction");
            assertEquals(SCRIPT, shown.text());
            assertEquals(0, shown.elementsInText(), "the edited text is one text node");
            assertEquals(MARKUP_EMOJI + " 1", shown.reactions().get(0).shown());
            assertEquals(MARKUP_EMOJI + " 1: Moderator", shown.reactions().get(0).said());
            assertEquals("Moderator muted Marvin for 10 minutes: " + IMAGE, page.awaitNotice("moderation"));
        }
        assertEquals(List.of(), page.browser().driver().findElements(By.cssSelector("#messages img, #messages b, #messages script")),
                "no element came out of an entry");
        assertEquals(List.of(), page.dialogsOpened(), "no script ran");
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

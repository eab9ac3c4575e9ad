package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.browser.ChatPage.Item;
import dev.jchat.browser.ChatPage.Reaction;
import dev.jchat.config.ChatConfig;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * What a person does to a message in the page (protocol version 3's room log): edits and deletes their own
 * in place, reacts from the small set or with any emoji typed, and sees the others do the same, live and
 * after a reload.
 */
class MessageActionsTest {

    private static final List<String> QUICK = List.of("react:👍", "react:❤️", "react:😂", "react:🎉", "react:😮", "react:😢");

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults());

    @Test
    void anEditShowsTheNewTextAndEditedEverywhereAndADeletionLeavesMessageDeleted() throws Exception {
        Said said = twoPeopleAndAMessage("edits", "Alice", "Bob", "helo wrold");
        ChatPage alice = said.author();
        ChatPage bob = said.reader();
        String id = said.id();
        assertEquals(concat(QUICK, List.of("emoji")), bob.actionsOn(id), "someone else's message: reactions only");
        assertEquals(concat(QUICK, List.of("emoji", "edit", "delete")), alice.actionsOn(id));

        // By keyboard: ⋯ unfolds the actions and takes the focus to the first; Escape folds them back.
        alice.browser().script("arguments[0].focus();", alice.messageElement(id).findElement(By.cssSelector(":scope > .more")));
        alice.focused().sendKeys(Keys.ENTER);
        assertEquals("React with 👍", alice.focused().getAccessibleName());
        List<WebElement> buttons = alice.messageElement(id).findElements(By.tagName("button"));
        assertEquals(10, buttons.size(), "⋯, six emoji, More, Edit, Delete");
        for (WebElement button : buttons) {
            assertFalse(button.getAccessibleName().isBlank(), () -> "every button says what it does: " + button.getText());
        }
        alice.focused().sendKeys(Keys.ESCAPE);
        assertEquals("false", alice.focused().getDomAttribute("aria-expanded"), "back on ⋯, folded");

        alice.hoverAndClick(id, "edit");
        assertEquals("textarea", alice.focused().getTagName(), "the text is edited in place");
        alice.focused().sendKeys(Keys.chord(Keys.CONTROL, "a"), "hello world", Keys.ENTER);
        Item edited = bob.awaitMessageWithId(id, item -> "hello world".equals(item.text()) && item.edited(),
                "the new text, marked edited");
        assertEquals("Alice", edited.name());
        alice.awaitMessageWithId(id, item -> "hello world".equals(item.text()) && item.edited(), "her own page too");

        alice.recordSentFrames();
        alice.hoverAndClick(id, "edit");
        alice.focused().sendKeys(" and more", Keys.ESCAPE);
        assertEquals("hello world", alice.messages().get(0).text(), "Escape cancels");
        assertEquals("more", alice.focused().getDomAttribute("data-action"), "the focus goes back to the message");
        assertEquals(List.of(), alice.chatFramesSent(), "nothing was sent");

        alice.hoverAndClick(id, "delete");
        alice.browser().driver().switchTo().alert().accept();
        Item deleted = bob.awaitMessageWithId(id, Item::isDeleted, "the message deleted");
        assertEquals("message deleted", deleted.text());
        assertFalse(deleted.edited(), "nothing of its edits is left");
        assertFalse(bob.text("messages").contains("hello world"), "its text is gone from the other page");
        assertEquals("message deleted", alice.awaitMessageWithId(id, Item::isDeleted, "deleted on hers too").text());
        assertEquals(List.of(), bob.actionsOn(id), "nothing more can be done to it");
    }

    @Test
    void reactionsShowCountsAndWhoReactedAndYourOwnChipTogglesIt() throws Exception {
        Said said = twoPeopleAndAMessage("reacts", "Ann", "Ben", "ship it?");
        ChatPage ann = said.author();
        ChatPage ben = said.reader();
        String id = said.id();

        ben.hoverAndClick(id, "react:👍");
        ann.awaitMessageWithId(id, item -> item.reactions().size() == 1, "Ben's reaction");
        ann.hoverAndClick(id, "react:👍");
        ann.awaitMessageWithId(id, item -> item.reactions().size() == 1 && item.reactions().get(0).pressed(), "her own");
        ann.hoverAndClick(id, "emoji");
        ann.focused().sendKeys("☕", Keys.ENTER);
        List<Reaction> both = List.of(new Reaction("👍 2", "👍 2: Ben, Ann", true), new Reaction("☕ 1", "☕ 1: Ann", false));
        ben.awaitMessageWithId(id, item -> item.reactions().size() == 2, "two emoji");
        ben.awaitMessageWithId(id, item -> item.reactions().equals(List.of(
                new Reaction("👍 2", "👍 2: Ben, Ann", true), new Reaction("☕ 1", "☕ 1: Ann", false))),
                "counts, names in the order they reacted, Ben's own pressed");
        ann.awaitMessageWithId(id, item -> item.reactions().equals(List.of(both.get(0), new Reaction("☕ 1", "☕ 1: Ann", true))),
                "Ann's page: both hers pressed");

        ben.clickChip(id, "👍");
        List<Reaction> after = List.of(new Reaction("👍 1", "👍 1: Ann", true), new Reaction("☕ 1", "☕ 1: Ann", true));
        ann.awaitMessageWithId(id, item -> item.reactions().equals(after), "Ben's thumb taken back");
        Item his = ben.awaitMessageWithId(id, item -> item.reactions().size() == 2 && !item.reactions().get(0).pressed(),
                "his own chip no longer pressed");
        assertEquals("👍 1", his.reactions().get(0).shown());

        ben.reload();
        ben.awaitStatus("online");
        Item replayed = ben.awaitMessageWithId(id, item -> item.reactions().size() == 2, "the message as it is now, after a reload");
        assertEquals(List.of(new Reaction("👍 1", "👍 1: Ann", false), new Reaction("☕ 1", "☕ 1: Ann", false)), replayed.reactions());
        assertTrue(ben.messages().stream().noneMatch(Item::isDeleted));
    }

    /** A phone has no hover: a finger held on a message unfolds its actions, a tap or a short touch does not. */
    @Test
    void aLongPressOnATouchScreenUnfoldsTheActionsAndAShortTouchDoesNot() throws Exception {
        Said said = twoPeopleAndAMessage("touch", "Tess", "Theo", "press me");
        ChatPage theo = said.reader();
        String id = said.id();
        theo.touch(id, Duration.ofMillis(100));
        Thread.sleep(800); // longer than a long press: a timer left running would have unfolded them by now
        assertFalse(theo.messageElement(id).getDomAttribute("class").contains("open"), "a short touch is no long press");

        theo.touch(id, Duration.ofMillis(900));
        theo.browser().await(() -> "the actions unfolded", driver ->
                theo.messageElement(id).getDomAttribute("class").contains("open"));
        assertEquals("React with 👍", theo.focused().getAccessibleName(), "the focus on the first action, as ⋯ gives it");
        assertEquals("true", theo.messageElement(id).findElement(By.cssSelector(":scope > .more")).getDomAttribute("aria-expanded"));
        theo.focused().click();
        said.author().awaitMessageWithId(id, item -> item.reactions().equals(List.of(new Reaction("👍 1", "👍 1: Theo", false))),
                "the reaction chosen after the long press");
    }

    @Test
    void whatWasDoneToAMessageWhileThePageWasAwayIsReplayedInOrderOnResume() throws Exception {
        ChatPage page = browsers.launch().open(server.pageUri());
        page.recordSockets();
        page.join("Cleo", "resume");
        try (TestClient dan = TestClient.connect(URI.create(server.chatUri() + "?v=3&user=Dan&room=resume"))) {
            dan.welcome();
            dan.say("see you");
            long id = dan.skipTo("chat").getJsonNumber("id").longValue();
            page.awaitMessage("see you");

            page.dropAndHoldReconnects();
            page.awaitStatus(Duration.ofSeconds(15), "reconnecting", status -> status.startsWith("reconnecting"));
            dan.send(frame("edit", id).add("msg", "see you soon").build().toString());
            for (boolean on : List.of(true, false)) {
                dan.send(frame("react", id).add("emoji", "❤️").add("on", on).build().toString());
            }
            dan.send(frame("react", id).add("emoji", "👍").build().toString());
            dan.skipTo("edit");
            dan.skipTo("reaction");
            dan.skipTo("reaction");
            dan.skipTo("reaction");
            page.letReconnect();

            Item resumed = page.awaitMessageWithId(Long.toString(id), item -> item.edited() && item.reactions().size() == 1,
                    "the edit and the reactions missed, applied one by one");
            assertEquals("see you soon", resumed.text());
            assertEquals(List.of(new Reaction("👍 1", "👍 1: Dan", false)), resumed.reactions(), "the heart set and taken back");
            assertEquals(1, page.messages().size(), "the message is not shown twice");
        }
    }

    private static jakarta.json.JsonObjectBuilder frame(String type, long id) {
        return Json.createObjectBuilder().add("type", type).add("id", id);
    }


    /** Two pages in a room, and a message the first wrote, seen on both (its id). */
    private record Said(ChatPage author, ChatPage reader, String id) {
    }

    private static Said twoPeopleAndAMessage(String room, String author, String reader, String text) throws Exception {
        ChatPage first = browsers.launch().open(server.pageUri()).join(author, room);
        ChatPage second = browsers.launch().open(server.pageUri()).join(reader, room);
        first.awaitUsers(author, reader);
        first.say(text);
        String id = first.awaitMessage(text).id();
        second.awaitMessage(text);
        return new Said(first, second, id);
    }

    @SafeVarargs
    private static <T> List<T> concat(List<T>... lists) {
        return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
    }
}

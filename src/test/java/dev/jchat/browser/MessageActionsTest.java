package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.ServerExtension;
import dev.jchat.browser.ChatPage.Item;
import dev.jchat.browser.ChatPage.Reaction;
import dev.jchat.config.ChatConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Keys;

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
        ChatPage alice = browsers.launch().open(server.pageUri()).join("Alice", "edits");
        ChatPage bob = browsers.launch().open(server.pageUri()).join("Bob", "edits");
        alice.awaitUsers("Alice", "Bob");
        alice.say("helo wrold");
        String id = alice.awaitMessage("helo wrold").id();
        bob.awaitMessage("helo wrold");
        assertEquals(concat(QUICK, List.of("emoji")), bob.actionsOn(id), "someone else's message: reactions only");
        assertEquals(concat(QUICK, List.of("emoji", "edit", "delete")), alice.actionsOn(id));

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
        ChatPage ann = browsers.launch().open(server.pageUri()).join("Ann", "reacts");
        ChatPage ben = browsers.launch().open(server.pageUri()).join("Ben", "reacts");
        ann.awaitUsers("Ann", "Ben");
        ann.say("ship it?");
        String id = ann.awaitMessage("ship it?").id();
        ben.awaitMessage("ship it?");

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

    @SafeVarargs
    private static <T> List<T> concat(List<T>... lists) {
        return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
    }
}

package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * On a phone-sized window (400 px wide): one view at a time (the conversation, the room list or who is online),
 * the header on one row, nothing wider than the screen, and every part reachable by keyboard.
 */
class NarrowLayoutTest {

    static final String LONG_MESSAGE = "The deploy went fine, but ".repeat(24).strip();
    static final String LONG_WORD = "x".repeat(300);
    static final String LONG_LINK = "https://example.com/" + "segment/".repeat(30);

    // Where an element ends, against the window: inside it means no scrolling sideways to reach it.
    private static final String INSIDE = """
            const box = document.getElementById(arguments[0]).getBoundingClientRect();
            return box.width > 0 && box.left >= 0 && box.right <= window.innerWidth && box.bottom <= window.innerHeight;""";

    // Whether what is seen at the middle of an element belongs to another: an open list covers the conversation.
    private static final String COVERED_BY = """
            const box = document.getElementById(arguments[0]).getBoundingClientRect();
            const seen = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
            return document.getElementById(arguments[1]).contains(seen);""";

    // The header's shown parts all on one row.
    private static final String HEADER_ROWS = """
            const tops = Array.from(document.querySelectorAll('.bar > *'))
              .filter((part) => part.getClientRects().length > 0)
              .map((part) => Math.round(part.getBoundingClientRect().top + part.getBoundingClientRect().height / 2));
            return new Set(tops.map((top) => Math.round(top / 8))).size;""";

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults());

    @Test
    void atFourHundredPixelsNothingOverflowsAndTheRoomListIsReachableByKeyboard() throws Exception {
        ChatPage page = browsers.launch();
        page.browser().driver().manage().window().setSize(new Dimension(400, 800));
        page.open(server.pageUri()).join("Noor", "narrow");
        try (TestClient kai = TestClient.connect(URI.create(server.chatUri() + "?user=Kai&room=narrow"))) {
            kai.welcome();
            List.of(LONG_MESSAGE, LONG_WORD, LONG_LINK).forEach(kai::say);
            page.awaitTexts(List.of(LONG_MESSAGE, LONG_WORD, LONG_LINK));
        }
        assertTrue(page.<Number>script("return window.innerWidth;").intValue() <= 400, "the window is narrow");
        assertNoSidewaysScroll(page);
        assertTrue(page.<Boolean>script(INSIDE, "input"), "the message box is on screen");
        assertTrue(page.<Boolean>script(INSIDE, "send"), "Send is on screen");
        // No hover on a touch screen: a message's "⋯" unfolds its actions, within the width.
        WebElement message = page.messageElement(page.messages().get(page.messages().size() - 1).id());
        WebElement more = message.findElement(By.cssSelector(":scope > .more"));
        assertTrue(more.isDisplayed(), "a message's actions button is there without hovering");
        more.click();
        assertTrue(message.findElement(By.cssSelector(":scope > .actions")).isDisplayed());
        assertEquals("true", more.getDomAttribute("aria-expanded"));
        assertNoSidewaysScroll(page);
        assertFalse(page.roomsOpen(), "the room list starts folded, as the online list does");
        assertEquals(1L, page.<Number>script(HEADER_ROWS).longValue(), "the header on one row");
        assertFalse(page.<Boolean>script(COVERED_BY, "messages", "rooms"), "the conversation in sight");

        page.browser().script("document.querySelector('#rooms summary').focus();");
        page.browser().driver().switchTo().activeElement().sendKeys(Keys.ENTER);
        page.browser().await(() -> "the room list unfolded", driver -> page.roomsOpen());
        page.awaitRoom("narrow", ChatPage.RoomEntry::current, "the room shown, in the list");
        assertTrue(page.browser().driver().findElement(By.cssSelector("#room-list a[aria-current]")).isDisplayed());
        assertNoSidewaysScroll(page);
        assertTrue(page.<Boolean>script(COVERED_BY, "messages", "rooms"), "the room list alone: it covers the conversation");
        assertTrue(page.<Boolean>script(COVERED_BY, "input", "rooms"));
        page.focused().sendKeys(Keys.ESCAPE);
        page.browser().await(() -> "Escape folded the room list", driver -> !page.roomsOpen());
        assertEquals("summary", page.focused().getTagName(), "the focus back on the list's button");
        assertTrue(page.<Boolean>script(INSIDE, "input"), "the conversation and its composer again");

        page.browser().script("document.querySelector('#online summary').focus();");
        page.focused().sendKeys(Keys.ENTER);
        page.browser().await(() -> "who is online, alone", driver -> page.<Boolean>script(COVERED_BY, "messages", "online"));
        assertTrue(page.element("users").isDisplayed());
        page.focused().sendKeys(Keys.ENTER);   // its button again: back to the conversation
        page.browser().await(() -> "the online list folded", driver -> !page.<Boolean>script(COVERED_BY, "messages", "online"));

        page.browser().script("document.querySelector('#rooms summary').focus();");
        page.focused().sendKeys(Keys.ENTER);
        page.browser().await(() -> "the room list unfolded again", driver -> page.roomsOpen());

        page.element("room-open").sendKeys("elsewhere", Keys.ENTER);
        page.awaitRoomShown("elsewhere");
        assertFalse(page.roomsOpen(), "once a room is chosen, the list folds away for its messages");
        assertTrue(page.<Boolean>script(INSIDE, "send"));
        assertNoSidewaysScroll(page);
    }

    private static void assertNoSidewaysScroll(ChatPage page) {
        Number scrollWidth = page.script("return document.documentElement.scrollWidth;");
        Number width = page.script("return window.innerWidth;");
        assertTrue(scrollWidth.intValue() <= width.intValue(),
                () -> "nothing wider than the window: " + scrollWidth + " > " + width + "; " + page.describe());
        assertTrue(page.<Boolean>script("const list = document.getElementById('messages'); return list.scrollWidth <= list.clientWidth;"),
                "nor anything wider than the message list");
    }
}

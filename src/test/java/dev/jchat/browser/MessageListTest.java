package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.browser.ChatPage.Item;
import dev.jchat.config.ChatConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Dimension;

/**
 * The message list people expect (issue 28): runs of one name's messages, short times, day separators, the
 * bottom kept through resizes, joins and leaves folded into one line, and a counter near the message limit.
 */
class MessageListTest {

    private static final int LIMIT = 100;
    private static final Dimension DESKTOP = new Dimension(1280, 900);
    private static final Dimension PHONE = new Dimension(400, 700);

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults().withLimits(LIMIT, 65_536)
            .withSecurity(ChatConfig.Security.defaults().withRate(0, 0)));

    private static final String SEPARATORS = """
            return Array.from(document.querySelectorAll('#messages > li.day'), (li) => li.textContent);""";

    // How far the list is from its bottom, in pixels.
    private static final String FROM_BOTTOM = """
            const list = document.getElementById('messages');
            return list.scrollHeight - list.scrollTop - list.clientHeight;""";

    private static TestClient writer(String name, String room) {
        TestClient client = TestClient.connect(URI.create(server.chatUri() + "?user=" + name + "&room=" + room));
        client.welcome();
        return client;
    }

    @Test
    void runsOfOneNameShowItOnceWithShortTimesUnderADaySeparator() throws Exception {
        ChatPage ann = browsers.launch();
        ann.browser().driver().manage().window().setSize(DESKTOP);
        ann.open(server.pageUri()).join("Ann", "runs");
        try (TestClient bob = writer("Bob", "runs")) {
            ann.say("first of mine");
            ann.say("second of mine");
            ann.awaitMessage("second of mine");
            bob.say("and one of Bob's");
            Item bobs = ann.awaitMessage("and one of Bob's");
            List<Item> messages = ann.messages();
            assertEquals(List.of(false, true, false), messages.stream().map(Item::isContinued).toList(),
                    "two by Ann then one by Bob: two runs; " + ann.describe());
            assertEquals(List.of("Today"), ann.browser().script(SEPARATORS), "one day, said as Today, above it");
            assertTrue(bobs.time().matches("\\D*\\d{1,2}[:.]\\d\\d\\D*"), () -> "hours and minutes only: " + bobs.time());
            assertTrue(bobs.timeTitle().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"), () -> "full on hover: " + bobs);
            String continued = messages.get(1).id();
            assertEquals("0", ann.<String>script("""
                    return getComputedStyle(document.querySelector(
                      '#messages > li[data-id="' + arguments[0] + '"] > .name')).display === 'none' ? '0' : 'shown';""",
                    continued), "the run's second message shows no name");
            assertTrue(ann.messageElement(continued).findElement(org.openqa.selenium.By.cssSelector(":scope > .more"))
                    .getDomAttribute("aria-label").contains(messages.get(1).timeTitle()),
                    "its actions button says the full time to a keyboard reader");

            // Ann deletes the second of her run, then writes again: the runs stay as they were, and go on.
            ann.hoverAndClick(continued, "delete");
            ann.browser().driver().switchTo().alert().accept();
            ann.awaitMessageWithId(continued, Item::isDeleted, "deleted");
            ann.say("after Bob");
            ann.awaitMessage("after Bob");
            assertEquals(List.of(false, true, false, false), ann.messages().stream().map(Item::isContinued).toList(),
                    "a deleted message keeps its place in the runs; " + ann.describe());

            // Older messages put above by scrollback: the runs and the one separator are right across the seam.
            for (int i = 1; i <= 60; i++) {
                bob.say("Bob " + i);
            }
            for (int i = 0; i < 60; i++) {
                bob.nextChat();
            }
        }
        ann.reload();
        ann.browser().await(() -> "the recent history; " + ann.describe(), driver -> ann.messages().size() == 50);
        ann.browser().script("document.getElementById('messages').scrollTop = 0;");
        ann.browser().await(() -> "older messages; " + ann.describe(), driver -> ann.messages().size() == 64);
        assertRunsRight(ann);
        assertEquals(List.of("Today"), ann.browser().script(SEPARATORS), "still one separator, at the top");
        // A page left open over midnight: its "Today" says "Yesterday" when the tab is looked at again.
        assertEquals(List.of("Yesterday"), ann.browser().script("""
                const separator = document.querySelector('#messages > li.day');
                separator.dataset.day = String(Number(separator.dataset.day) - 86400000);
                document.dispatchEvent(new Event('visibilitychange'));
                return Array.from(document.querySelectorAll('#messages > li.day'), (li) => li.textContent);"""),
                "relabelled");
        ann.browser().script("document.getElementById('messages').scrollTop = 0;");   // the day and the first runs
        ann.browser().screenshot(Path.of(System.getProperty("basedir", "."), "target", "message-list.png"));
        ann.browser().driver().manage().window().setSize(PHONE);
        ann.browser().screenshot(Path.of(System.getProperty("basedir", "."), "target", "message-list-phone.png"));
        assertTrue(ann.<Boolean>script("return document.querySelector('#messages > li.day + li.message') !== null"
                + " || document.querySelector('#messages > li.day + li.notice') !== null;"), "it stands above the first item");
    }

    @Test
    void messagesReplayedAfterAReconnectContinueTheRunTheyBelongTo() throws Exception {
        ChatPage page = browsers.launch();
        page.browser().driver().manage().window().setSize(PHONE);
        page.open(server.pageUri());
        page.recordSockets();
        page.join("Dee", "replay");
        try (TestClient eli = writer("Eli", "replay")) {
            eli.say("before the gap");
            page.awaitMessage("before the gap");
            page.dropAndHoldReconnects();
            page.awaitStatus(java.time.Duration.ofSeconds(15), "reconnecting", status -> status.startsWith("reconnecting"));
            eli.say("missed one");
            eli.say("missed two");
            eli.nextChat();
            eli.nextChat();
            eli.nextChat();
            page.letReconnect();
            page.awaitTexts(List.of("before the gap", "missed one", "missed two"));
        }
        assertEquals(List.of(false, true, true), page.messages().stream().map(Item::isContinued).toList(),
                "the replayed messages continue Eli's run; " + page.describe());
        assertEquals(List.of("Today"), page.browser().script(SEPARATORS));
        assertRunsRight(page);
    }

    /** Each message is continued exactly when the item right above it is a message of the same name. */
    private static void assertRunsRight(ChatPage page) {
        List<Item> items = page.items();
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            if (!item.isMessage()) {
                continue;
            }
            boolean expected = i > 0 && items.get(i - 1).isMessage() && items.get(i - 1).name().equals(item.name());
            assertEquals(expected, item.isContinued(), "item " + i + " of " + page.describe());
        }
    }

    @Test
    void todayYesterdayAndDatesGoByTheReadersCalendar() throws Exception {
        ChatPage page = browsers.launch();
        page.open(server.pageUri());
        // The page's own module, asked about fixed local times: no server can make yesterday's messages.
        @SuppressWarnings("unchecked")
        Map<String, Object> answers = (Map<String, Object>) page.browser().script("""
                return import('./days.js').then((days) => {
                  const at = (d, h, m) => new Date(2026, 11, d, h, m).getTime();
                  const now = at(7, 0, 30);
                  return {
                    today: days.dayLabel(at(7, 0, 1), now),
                    yesterday: days.dayLabel(at(6, 23, 59), now),
                    older: days.dayLabel(at(5, 12, 0), now),
                    localeDate: new Intl.DateTimeFormat(undefined, { weekday: 'long', year: 'numeric', month: 'long',
                      day: 'numeric' }).format(new Date(at(5, 12, 0))),
                    acrossMidnight: days.continues({ user: 'Ann', at: at(6, 23, 58) }, { user: 'Ann', at: at(7, 0, 1) }),
                    fourMinutes: days.continues({ user: 'Ann', at: at(7, 10, 0) }, { user: 'Ann', at: at(7, 10, 4) }),
                    sixMinutes: days.continues({ user: 'Ann', at: at(7, 10, 0) }, { user: 'Ann', at: at(7, 10, 6) }),
                    otherName: days.continues({ user: 'Ann', at: at(7, 10, 0) }, { user: 'Bob', at: at(7, 10, 1) }),
                  };
                });""");
        assertEquals("Today", answers.get("today"));
        assertEquals("Yesterday", answers.get("yesterday"), "a minute before midnight is yesterday");
        assertEquals(answers.get("localeDate"), answers.get("older"), "two days back: the date, in the reader's locale");
        assertTrue(((String) answers.get("older")).contains("2026"), () -> "with its year: " + answers);
        assertEquals(false, answers.get("acrossMidnight"), "a new day starts a new run");
        assertEquals(true, answers.get("fourMinutes"));
        assertEquals(false, answers.get("sixMinutes"), "five minutes apart or more: a new run");
        assertEquals(false, answers.get("otherName"));
    }

    @Test
    void aReaderAtTheBottomStaysThereThroughResizesAndOneScrolledUpKeepsTheirPlace() throws Exception {
        ChatPage page = browsers.launch();
        page.browser().driver().manage().window().setSize(DESKTOP);
        page.open(server.pageUri()).join("Rue", "resize");
        try (TestClient kai = writer("Kai", "resize")) {
            List<String> texts = new ArrayList<>();
            for (int i = 1; i <= 40; i++) {
                texts.add("line " + i + " of a conversation long enough to scroll");
                kai.say(texts.get(i - 1));
            }
            page.awaitTexts(texts);
            awaitAtBottom(page, "at first");
            for (Dimension size : List.of(PHONE, new Dimension(400, 420), DESKTOP, new Dimension(800, 500))) {
                page.browser().driver().manage().window().setSize(size);
                awaitAtBottom(page, "after a resize to " + size);
            }
            // The composer growing (as a phone's keyboard shrinks the viewport) shrinks the list too.
            page.browser().script("document.getElementById('input').style.height = '12em';");
            awaitAtBottom(page, "after the composer grew");
            assertTrue(page.element("new-messages").getDomProperty("hidden").equals("true"), "no hint at the bottom");

            // Scrolled up: the message at the top of the list stays in sight through a resize.
            page.browser().script("document.getElementById('input').style.height = '';");
            String top = page.<String>script("""
                    const list = document.getElementById('messages');
                    list.scrollTop = list.scrollHeight / 3;
                    const limit = list.getBoundingClientRect().top;
                    return [...list.querySelectorAll('li.message')].find((li) => li.getBoundingClientRect().top >= limit).dataset.id;""");
            page.browser().await(() -> "the scroll noticed", driver -> page.<Number>script(FROM_BOTTOM).doubleValue() > 100);
            page.browser().driver().manage().window().setSize(PHONE);
            page.browser().await(() -> "the window narrow", driver -> page.<Number>script("return window.innerWidth;").intValue() <= 400);
            assertTrue(page.<Boolean>script("""
                    const list = document.getElementById('messages').getBoundingClientRect();
                    const item = document.querySelector('#messages > li[data-id="' + arguments[0] + '"]').getBoundingClientRect();
                    return item.bottom > list.top && item.top < list.bottom;""", top), "message " + top + " still in sight");
            assertTrue(page.<Number>script(FROM_BOTTOM).doubleValue() > 100, "not taken to the bottom");
            kai.say("news while Rue reads above");
            page.awaitMessage("news while Rue reads above");
            page.browser().await(() -> "the new messages hint; " + page.describe(), driver -> page.visible("new-messages"));
            assertTrue(page.<Number>script(FROM_BOTTOM).doubleValue() > 100, "still where Rue was reading");
        }
    }

    private static void awaitAtBottom(ChatPage page, String when) {
        page.browser().await(() -> "at the bottom " + when + ": " + page.<Number>script(FROM_BOTTOM) + " px above it",
                driver -> page.<Number>script(FROM_BOTTOM).doubleValue() <= 2);
    }

    @Test
    void joinsAndLeavesFoldIntoOneQuietLine() throws Exception {
        ChatPage page = browsers.launch();
        page.browser().driver().manage().window().setSize(DESKTOP);   // the online list unfolded, to be read
        page.open(server.pageUri()).join("Fay", "fold");
        List<TestClient> others = new ArrayList<>();
        try {
            for (String name : List.of("Gus", "Hal", "Ivy", "Joe")) {
                others.add(writer(name, "fold"));
            }
            page.awaitUsers("Fay", "Gus", "Hal", "Ivy", "Joe");
            page.browser().await(() -> "one line for four joins; " + page.describe(),
                    driver -> page.notices("presence").stream().map(Item::text).toList().equals(List.of("Gus and 3 others joined")));
            others.remove(3).close();
            page.awaitUsers("Fay", "Gus", "Hal", "Ivy");
            page.browser().await(() -> "the leave folded in; " + page.describe(),
                    driver -> page.notices("presence").stream().map(Item::text).toList()
                            .equals(List.of("Gus and 2 others joined; Joe left")));
            others.get(0).say("a message ends the line");
            page.awaitMessage("a message ends the line");
            others.remove(2).close();
            page.browser().await(() -> "a new line below the message; " + page.describe(),
                    driver -> page.notices("presence").stream().map(Item::text).toList()
                            .equals(List.of("Gus and 2 others joined; Joe left", "Ivy left")));
        } finally {
            others.forEach(TestClient::close);
        }
    }

    @Test
    void theComposerCountsDownNearTheLimitAndRefusesAMessageOverIt() throws Exception {
        ChatPage page = browsers.launch();
        page.browser().driver().manage().window().setSize(DESKTOP);
        page.open(server.pageUri()).join("Lulu", "count");
        page.recordSentFrames();
        int sent = 0;
        for (Dimension size : List.of(DESKTOP, PHONE)) {
            int before = ++sent;
            page.browser().driver().manage().window().setSize(size);
            page.browser().script("window.framesSent.length = 0;");
            page.type("x".repeat(LIMIT - 20));
            assertFalse(page.visible("counter"), "far from the limit: no counter");
            page.type("x".repeat(11), "😀");                  // an emoji is one character, as the server counts
            assertEquals("8 characters left", page.text("counter"));
            page.type("y".repeat(10));
            assertEquals("2 characters over the limit", page.text("counter"));
            page.type(org.openqa.selenium.Keys.ENTER);
            assertEquals("Your message is 2 characters over the limit of " + LIMIT + "; shorten it to send it.",
                    page.text("composer-error"));
            assertEquals(List.of(), page.chatFramesSent(), "nothing went to the server");
            assertEquals(LIMIT + 2, page.<Number>script("return [...document.getElementById('input').value].length;").intValue(),
                    "the text stays to be shortened");
            page.element("input").sendKeys(org.openqa.selenium.Keys.BACK_SPACE, org.openqa.selenium.Keys.BACK_SPACE,
                    org.openqa.selenium.Keys.ENTER);
            page.browser().await(() -> "the message at the limit; " + page.describe(),
                    driver -> page.messages().stream().filter(item -> item.text().length() > LIMIT - 5).count() == before);
            assertFalse(page.visible("counter"), "sent: the counter goes with the text");
        }
    }
}

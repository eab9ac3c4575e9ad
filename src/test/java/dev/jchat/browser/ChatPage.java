package dev.jchat.browser;

import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.Interactive;
import org.openqa.selenium.interactions.Pause;
import org.openqa.selenium.interactions.PointerInput;
import org.openqa.selenium.interactions.Sequence;

/**
 * The chat page (webapp/index.html and chat.js) as one user in one browser sees and uses it:
 * the DOM contract in one place, so the tests read as what a person does. Not thread-safe.
 */
final class ChatPage {

    /** One {@code li} of {@code #messages}: a chat message or a notice; absent parts are null. */
    record Item(Set<String> classes, String id, String epoch, String avatar, String name,
                String timeTag, String time, String dateTime, String timeTitle, String text, int elementsInText,
                boolean edited, List<Reaction> reactions) {

        boolean isDeleted() {
            return classes.contains("deleted");
        }

        boolean isMessage() {
            return classes.contains("message");
        }

        boolean isOwn() {
            return classes.contains("own");
        }

        boolean isNotice(String kind) {
            return classes.contains("notice") && classes.contains(kind);
        }

        /** A message that continues the run of the one above (same name, minutes apart): no avatar, no name shown. */
        boolean isContinued() {
            return classes.contains("continued");
        }

        /** A message that names the page's own person, highlighted. */
        boolean isMention() {
            return classes.contains("mention");
        }
    }

    /**
     * One entry of the room list, of its Direct part or of its More rooms: the name shown, the people
     * online, the unread count and the mention mark ("" for each when not shown), whether it is the room
     * shown, and what a screen reader says of it.
     */
    /** One reaction chip under a message: what it shows, what a screen reader says of it, and whether it is ours. */
    record Reaction(String shown, String said, boolean pressed) {
    }

    record RoomEntry(String label, String online, String unread, String mention, boolean current, String said) {
    }

    private static final String ENTRIES = """
            return Array.from(document.querySelectorAll('#' + arguments[0] + ' > li > a'), (a) => ({
              label: a.querySelector('.label')?.textContent ?? '',
              online: a.querySelector('.online')?.textContent ?? '',
              unread: a.querySelector('.unread')?.textContent ?? '',
              mention: a.querySelector('.mention')?.textContent ?? '',
              current: a.getAttribute('aria-current') === 'page',
              said: a.getAttribute('aria-label') ?? '',
            }));""";

    // One consistent snapshot of the list; walking WebElements would race the page's updates.
    private static final String ITEMS = """
            return Array.from(document.querySelectorAll('#messages > li:not(.day)'), (li) => {
              const part = (selector) => li.querySelector(':scope > ' + selector);
              const time = part('.time');
              return {
                classes: li.className,
                id: li.dataset.id ?? null,
                epoch: li.dataset.epoch ?? null,
                avatar: part('.avatar')?.textContent ?? null,
                name: part('.name')?.textContent ?? null,
                timeTag: time ? time.tagName.toLowerCase() : null,
                time: time?.textContent ?? null,
                dateTime: time?.getAttribute('datetime') ?? null,
                timeTitle: time?.title ?? null,
                text: part('.text')?.textContent ?? null,
                elementsInText: part('.text')?.childElementCount ?? 0,
                edited: part('.edited') !== null && !part('.edited').hidden && part('.edited').textContent === 'edited',
                reactions: Array.from(li.querySelectorAll(':scope > .reactions > button'), (chip) => ({
                  shown: chip.textContent, said: chip.getAttribute('aria-label') ?? '',
                  pressed: chip.getAttribute('aria-pressed') === 'true' })),
              };
            });""";

    private final Browser browser;

    ChatPage(Browser browser) {
        this.browser = browser;
    }

    Browser browser() {
        return browser;
    }

    // ---- getting there

    ChatPage open(URI page) {
        browser.driver().get(page.toString());
        return this;
    }

    /** Opens the page on a room link, {@code #room=ROOM}. */
    ChatPage open(URI page, String room) {
        browser.driver().get(page + "#room=" + room);
        return this;
    }

    /** Fills in the join form and submits it; the room field is left alone when null. */
    void submitJoin(String name, String room) {
        WebElement nameField = element("name");
        nameField.clear();
        nameField.sendKeys(name);
        if (room != null) {
            WebElement roomField = element("room");
            roomField.clear();
            roomField.sendKeys(room);
        }
        element("join").click();
    }

    /**
     * Joins through the form and waits until the page is online, in {@code room} when it is not
     * null (the room field is left as the page filled it in when it is).
     */
    ChatPage join(String name, String room) {
        submitJoin(name, room);
        awaitStatus("online");
        if (room != null) {
            String shown = room.isBlank() ? "lobby" : room;
            browser.await(() -> "the room " + shown + " in the header; " + describe(),
                    driver -> roomShown().equals(shown));
        }
        return this;
    }

    void reload() {
        browser.driver().navigate().refresh();
    }

    // ---- the header

    String status() {
        return text("status");
    }

    String statusState() {
        return element("status").getDomAttribute("data-state");
    }

    void awaitStatus(String expected) {
        browser.await(() -> "status \"" + expected + "\"; " + describe(), driver -> status().equals(expected));
    }

    /** The banner saying the page is not connected, as shown ("" while hidden). */
    String banner() {
        WebElement banner = element("connection");
        return banner.isDisplayed() ? banner.findElement(By.tagName("p")).getText().strip() : "";
    }

    /** Clicks the banner's Retry now. */
    void retryNow() {
        element("retry-now").click();
    }

    /**
     * Clicks Retry now if the banner still shows it, in one step of the page's thread: the page may have
     * reconnected by itself a moment before (its backoff ran out), and then there is no button to press.
     */
    void retryNowUnlessBack() {
        browser.script("""
                const button = document.getElementById('retry-now');
                if (button.offsetParent !== null) button.click();""");
    }

    /** One message of ours not echoed by the server yet: its text and what it says ("Sending…", "Not sent: ..."). */
    record Outgoing(String text, String state, boolean failed) {
    }

    List<Outgoing> outgoing() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) browser.script("""
                return Array.from(document.querySelectorAll('#messages > li.outgoing'), (li) => ({
                  text: li.querySelector(':scope > .text').textContent,
                  state: li.querySelector(':scope > .sending').textContent,
                  failed: li.classList.contains('failed') }));""");
        return rows.stream().map(row -> new Outgoing((String) row.get("text"), (String) row.get("state"),
                Boolean.TRUE.equals(row.get("failed")))).toList();
    }

    /** Waits for our message with this text, not yet echoed, to satisfy {@code condition}. */
    Outgoing awaitOutgoing(String text, Predicate<Outgoing> condition, String what) {
        return browser.await(() -> what + " (" + text + "); outgoing " + outgoing() + "; " + describe(),
                driver -> outgoing().stream().filter(o -> o.text().equals(text) && condition.test(o)).findFirst().orElse(null));
    }

    /** Clicks an action ({@code retry}, {@code edit-unsent}) of our unsent message with this text. */
    void clickOutgoing(String text, String action) {
        browser.driver().findElements(By.cssSelector("#messages > li.outgoing")).stream()
                .filter(li -> li.findElement(By.cssSelector(":scope > .text")).getText().equals(text)).findFirst()
                .orElseThrow().findElement(By.cssSelector("button[data-action='" + action + "']")).click();
    }

    /** Waits at most {@code timeout} for the status text to match, e.g. a long reconnect countdown. */
    void awaitStatus(Duration timeout, String what, Predicate<String> condition) {
        browser.await(timeout, () -> what + "; " + describe(), driver -> condition.test(status()));
    }

    // ---- writing

    /** Types into the message box; {@link Keys} are pressed as keys. */
    void type(CharSequence... keys) {
        element("input").sendKeys(keys);
    }

    /** Types one line and presses Enter, as most people send. */
    void say(String text) {
        type(text, Keys.ENTER);
    }

    void clickSend() {
        element("send").click();
    }

    String input() {
        return element("input").getDomProperty("value");
    }

    // ---- reading

    List<Item> items() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) browser.script(ITEMS);
        return rows.stream().map(ChatPage::item).toList();
    }

    List<Item> messages() {
        return items().stream().filter(Item::isMessage).toList();
    }

    List<Item> notices(String kind) {
        return items().stream().filter(item -> item.isNotice(kind)).toList();
    }

    List<String> texts() {
        return messages().stream().map(Item::text).toList();
    }

    /** Waits for the chat message with exactly this text, and returns it. */
    Item awaitMessage(String text) {
        return browser.await(() -> "a message \"" + text + "\"; " + describe(),
                driver -> messages().stream().filter(item -> text.equals(item.text())).findFirst().orElse(null));
    }

    /** Waits for the first message whose text starts with this, and returns it. */
    Item awaitMessageStarting(String start) {
        return browser.await(() -> "a message starting \"" + start + "\"; " + describe(),
                driver -> messages().stream().filter(item -> item.text() != null && item.text().startsWith(start))
                        .findFirst().orElse(null));
    }

    /** Waits for the first notice of this kind (e.g. "refused"), and returns its text. */
    String awaitNotice(String kind) {
        return browser.await(() -> "a " + kind + " notice; " + describe(),
                driver -> notices(kind).stream().map(Item::text).findFirst().orElse(null));
    }

    /** Waits until the message texts are exactly these, in this order. */
    void awaitTexts(List<String> expected) {
        browser.await(() -> "messages " + expected + "; " + describe(), driver -> texts().equals(expected));
    }

    List<String> users() {
        return browser.driver().findElements(By.cssSelector("#users > li")).stream()
                .map(WebElement::getText).toList();
    }

    void awaitUsers(String... names) {
        List<String> expected = Arrays.asList(names);
        browser.await(() -> "online " + expected + "; " + describe(), driver -> users().equals(expected));
    }

    /** Runs a script in the page and returns its value as the caller expects it (numbers come back as Long or Double). */
    @SuppressWarnings("unchecked")
    <T> T script(String source, Object... args) {
        return (T) browser.script(source, args);
    }

    /** Clicks a name in the online list: the way to a direct conversation with them. */
    void clickUser(String name) {
        browser.driver().findElement(By.xpath("//ul[@id='users']/li/a[normalize-space(.)=" + xpathLiteral(name) + "]")).click();
    }

    // ---- what can be done to a message

    /** The message with this id, as its list item. */
    WebElement messageElement(String id) {
        return browser.driver().findElement(By.cssSelector("#messages > li.message[data-id='" + id + "']"));
    }

    /** Waits for the message with this id to satisfy {@code condition}, and returns it. */
    Item awaitMessageWithId(String id, Predicate<Item> condition, String what) {
        return browser.await(() -> what + " (message " + id + "); " + describe(),
                driver -> messages().stream().filter(item -> id.equals(item.id()) && condition.test(item))
                        .findFirst().orElse(null));
    }

    /**
     * Points the mouse at a message, as a person does, and clicks one of the actions its toolbar
     * then shows ({@code edit}, {@code delete}, {@code react:👍}, {@code emoji}, {@code mute}, {@code ban}, {@code kick}).
     */
    void hoverAndClick(String id, String action) {
        // Found again on each try: an entry that arrives meanwhile redraws the message's toolbar.
        browser.await(() -> "the action " + action + " shown on hover; " + describe(), driver -> {
            WebElement message = messageElement(id);
            new Actions(driver).moveToElement(message).perform();
            WebElement button = message.findElement(By.cssSelector(":scope > .actions > button[data-action='" + action + "']"));
            if (!button.isDisplayed()) {
                return false;
            }
            button.click();
            return true;
        });
    }

    /** Touches a message's text with a finger (a touch screen's pointer, not a mouse) and lifts it after {@code held}. */
    void touch(String id, Duration held) {
        WebElement text = messageElement(id).findElement(By.cssSelector(":scope > .text"));
        PointerInput finger = new PointerInput(PointerInput.Kind.TOUCH, "finger");
        Sequence press = new Sequence(finger, 0)
                .addAction(finger.createPointerMove(Duration.ZERO, PointerInput.Origin.fromElement(text), 0, 0))
                .addAction(finger.createPointerDown(PointerInput.MouseButton.LEFT.asArg()))
                .addAction(new Pause(finger, held))
                .addAction(finger.createPointerUp(PointerInput.MouseButton.LEFT.asArg()));
        ((Interactive) browser.driver()).perform(List.of(press));
    }

    /** The names of the actions a message offers (its toolbar's buttons, shown or not). */
    List<String> actionsOn(String id) {
        return messageElement(id).findElements(By.cssSelector(":scope > .actions > button")).stream()
                .map(button -> button.getDomAttribute("data-action")).toList();
    }

    /** Clicks the reaction chip under a message that shows this emoji. */
    void clickChip(String id, String emoji) {
        browser.await(() -> "a chip " + emoji + "; " + describe(), driver -> {
            messageElement(id).findElements(By.cssSelector(":scope > .reactions > button")).stream()
                    .filter(chip -> chip.getText().startsWith(emoji + " ")).findFirst().orElseThrow().click();
            return true;
        });
    }

    /** The element that has the keyboard's focus. */
    WebElement focused() {
        return browser.driver().switchTo().activeElement();
    }

    // ---- the room list

    /** The rooms this page opened, as listed. */
    List<RoomEntry> rooms() {
        return entries("room-list");
    }

    /** The direct conversations, each shown as the other person's name. */
    List<RoomEntry> directs() {
        return entries("direct-list");
    }

    /** Other rooms with people in them, not opened here. */
    List<RoomEntry> moreRooms() {
        return entries("more-list");
    }

    /** Waits for the room list entry {@code label}, in any part, satisfying {@code condition}, and returns it. */
    RoomEntry awaitRoom(String label, Predicate<RoomEntry> condition, String what) {
        return browser.await(() -> what + "; rooms " + rooms() + ", direct " + directs() + ", more " + moreRooms()
                        + "; " + describe(),
                driver -> java.util.stream.Stream.of(rooms(), directs(), moreRooms()).flatMap(List::stream)
                        .filter(entry -> entry.label().equals(label) && condition.test(entry)).findFirst().orElse(null));
    }

    /** Clicks the entry of the room list (any part) showing {@code label}. */
    void clickRoom(String label) {
        browser.driver().findElement(By.xpath("//*[@id='rooms']//li/a[span[@class='label' and .=" + xpathLiteral(label) + "]]")).click();
    }

    /** Clicks the close button beside the room list entry showing {@code label}. */
    void closeRoom(String label) {
        browser.driver().findElement(By.xpath("//*[@id='rooms']//li[a/span[@class='label' and .=" + xpathLiteral(label)
                + "]]/button[contains(@class, 'room-close')]")).click();
    }

    /** Whether the room list is unfolded (a phone starts with it folded). */
    boolean roomsOpen() {
        return Boolean.TRUE.equals(browser.script("return document.getElementById('rooms').open;"));
    }

    /** The room shown in the header, once the page is online there. */
    void awaitRoomShown(String room) {
        browser.await(() -> "online in " + room + "; " + describe(),
                driver -> roomShown().equals(room) && status().equals("online"));
    }

    /** The room the header is about, as the server names it ({@code @A+B} for a direct conversation). */
    String roomShown() {
        return Objects.requireNonNullElse(element("room-name").getDomAttribute("data-room"), "");
    }

    /** What the header says of the other person of the direct conversation shown ("" in a room). */
    String peer() {
        return visible("peer") ? text("peer") : "";
    }

    // ---- the tab as seen from outside

    String title() {
        return browser.driver().getTitle();
    }

    /**
     * Makes the page believe its tab is hidden (or visible again), as switching tabs would: a
     * headless browser's tab is always visible, so the test stands in for the person.
     */
    void setHidden(boolean hidden) {
        browser.script("""
                Object.defineProperty(document, 'hidden', { configurable: true, get: () => arguments[0] });
                Object.defineProperty(document, 'visibilityState', { configurable: true,
                  get: () => (arguments[0] ? 'hidden' : 'visible') });
                document.dispatchEvent(new Event('visibilitychange'));""", hidden);
    }

    /** The browser's time zone, in which the page shows times. */
    ZoneId timeZone() {
        return ZoneId.of((String) browser.script("return Intl.DateTimeFormat().resolvedOptions().timeZone;"));
    }

    // ---- instruments: installed after the page loaded, gone after a reload

    /** Records every alert, confirm and prompt the page opens, then lets it open. */
    void recordDialogs() {
        browser.script("""
                window.dialogsOpened = [];
                for (const kind of ['alert', 'confirm', 'prompt']) {
                  const original = window[kind];
                  window[kind] = function (...args) {
                    window.dialogsOpened.push(kind + '(' + args.join(',') + ')');
                    return original.apply(this, args);
                  };
                }""");
    }

    @SuppressWarnings("unchecked")
    List<String> dialogsOpened() {
        return (List<String>) browser.script("return window.dialogsOpened;");
    }

    /** Records the text of every frame the page sends on its WebSocket from now on. */
    void recordSentFrames() {
        browser.script("""
                window.framesSent = [];
                const send = WebSocket.prototype.send;
                WebSocket.prototype.send = function (data) {
                  window.framesSent.push(String(data));
                  return send.call(this, data);
                };""");
    }

    /**
     * The chat frames the page sent since {@link #recordSentFrames()} (pings, typing, read positions and
     * room list requests left out).
     */
    @SuppressWarnings("unchecked")
    List<String> chatFramesSent() {
        List<String> frames = (List<String>) browser.script("return window.framesSent;");
        return frames.stream().filter(frame -> !frame.contains("\"type\":\"ping\"") && !frame.contains("\"type\":\"typing\"")
                && !frame.contains("\"type\":\"rooms\"") && !frame.contains("\"type\":\"read\"")).toList();
    }

    /**
     * Counts every WebSocket the page opens from now on, and keeps each with the subprotocols it
     * offered (the page looks {@code WebSocket} up on each connect, so a subclass sees them all).
     */
    void recordSockets() {
        browser.script("""
                window.sockets = [];
                window.socketCloses = [];
                window.socketProtocols = [];
                window.socketUrls = [];
                window.WebSocket = class extends WebSocket {
                  constructor(url, protocols) {
                    super(url, protocols);
                    window.sockets.push(this);
                    window.socketUrls.push(String(url));
                    this.addEventListener('close', (event) => window.socketCloses.push(event.code + ' ' + event.reason));
                    window.socketProtocols.push(protocols === undefined ? [] : [].concat(protocols));
                  }
                };""");
    }

    /**
     * Counts every WebSocket any page of this browser opens from its first script on: installed before
     * the page's own scripts run (so nothing the page does can escape it) and again on every load.
     */
    void countSocketsFromTheStart() {
        browser.beforeEveryPage("""
                window.socketsFromTheStart = [];
                window.closesFromTheStart = [];
                window.WebSocket = class extends WebSocket {
                  constructor(url, protocols) {
                    super(url, protocols);
                    window.socketsFromTheStart.push(this);
                    this.addEventListener('close', (event) => window.closesFromTheStart.push(event.code + ' ' + event.reason));
                  }
                };""");
    }

    /** The code and reason of each close of those sockets, in the order they came. */
    @SuppressWarnings("unchecked")
    List<String> closesFromTheStart() {
        return (List<String>) browser.script("return window.closesFromTheStart;");
    }

    /** The address and state (0 connecting, 1 open, 2 closing, 3 closed) of each WebSocket this page opened since it loaded. */
    @SuppressWarnings("unchecked")
    List<String> socketsFromTheStart() {
        return (List<String>) browser.script("return window.socketsFromTheStart.map((s) => s.readyState + ' ' + s.url);");
    }

    /** How many WebSockets the page opened since {@link #recordSockets()}. */
    int socketsOpened() {
        return ((Number) browser.script("return window.sockets.length;")).intValue();
    }

    /** The subprotocols each of those sockets offered, in order; empty when it offered none. */
    @SuppressWarnings("unchecked")
    List<List<String>> socketProtocols() {
        return (List<List<String>>) browser.script("return window.socketProtocols;");
    }

    /** The address each of those sockets connected to, in order. */
    @SuppressWarnings("unchecked")
    List<String> socketUrls() {
        return (List<String>) browser.script("return window.socketUrls;");
    }

    /** Sends on the page's newest socket behind its back: what a bug in the page would send. */
    /**
     * Closes the page's socket ({@link #recordSockets()} first) and sends every new one nowhere until
     * {@link #letReconnect()}: the page retries meanwhile, and resumes once let go.
     */
    void dropAndHoldReconnects() {
        browser.script("""
                const Recording = window.WebSocket;
                window.holding = true;
                window.WebSocket = class extends Recording {
                  constructor(url, protocols) { super(window.holding ? 'ws://127.0.0.1:9/' : url, protocols); }
                };
                window.sockets.at(-1).close();""");
    }

    void letReconnect() {
        browser.script("window.holding = false;");
    }

    void sendRaw(String script) {
        browser.script("const socket = window.sockets.at(-1);\n" + script);
    }

    /** The value this tab keeps under {@code key} in sessionStorage, or null. */
    String sessionItem(String key) {
        return (String) browser.script("return sessionStorage.getItem(arguments[0]);", key);
    }

    /** Whether the element with this id is rendered (not hidden). */
    boolean visible(String id) {
        return element(id).isDisplayed();
    }

    /** The text content of the element with this id, whether shown or not. */
    String text(String id) {
        return Objects.requireNonNullElse(element(id).getDomProperty("textContent"), "");
    }

    WebElement element(String id) {
        return browser.driver().findElement(By.id(id));
    }

    /** What the page shows, for failure messages. */
    String describe() {
        String error = text("composer-error");
        Object closes = browser.script("return window.socketCloses ?? null;");
        return "the page shows status \"" + status() + "\", online " + users()
                + (error.isEmpty() ? "" : ", error \"" + error + "\"")
                + (closes == null ? "" : ", its sockets closed with " + closes) + ", items "
                + items().stream().map(ChatPage::describe).collect(Collectors.joining(" | ", "[", "]"));
    }

    private static String describe(Item item) {
        return item.isMessage()
                ? item.name() + "#" + item.id() + ": " + item.text()
                : item.classes() + " " + item.text();
    }

    @SuppressWarnings("unchecked")
    private List<RoomEntry> entries(String listId) {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) browser.script(ENTRIES, listId);
        return rows.stream().map(row -> new RoomEntry((String) row.get("label"), (String) row.get("online"),
                (String) row.get("unread"), (String) row.get("mention"), Boolean.TRUE.equals(row.get("current")),
                (String) row.get("said"))).toList();
    }

    /** A name or room as an XPath literal: neither can hold a quote. */
    private static String xpathLiteral(String text) {
        return "'" + text + "'";
    }

    @SuppressWarnings("unchecked")
    private static Item item(Map<String, Object> row) {
        List<Map<String, Object>> chips = (List<Map<String, Object>>) row.get("reactions");
        return new Item(
                Set.of(((String) row.get("classes")).trim().split("\\s+")),
                (String) row.get("id"), (String) row.get("epoch"), (String) row.get("avatar"),
                (String) row.get("name"), (String) row.get("timeTag"), (String) row.get("time"),
                (String) row.get("dateTime"), (String) row.get("timeTitle"), (String) row.get("text"),
                ((Number) row.get("elementsInText")).intValue(), Boolean.TRUE.equals(row.get("edited")),
                chips.stream().map(chip -> new Reaction((String) chip.get("shown"), (String) chip.get("said"),
                        Boolean.TRUE.equals(chip.get("pressed")))).toList());
    }
}

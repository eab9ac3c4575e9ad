package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.browser.ChatPage.RoomEntry;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Keys;

/**
 * The page on one connection for all its rooms (protocol version 3): rooms not shown count what is
 * said there and mark what names you, stay listed when the others leave, and switching between them
 * tells nobody; however many rooms and conversations it shows, a page has one WebSocket.
 */
class ManyRoomsTest {

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults());

    /** Five frames at once, then five a second: a subscribe counts as one. */
    @RegisterExtension
    static final ServerExtension strict = ServerExtension.embedded(ChatConfig.defaults()
            .withSecurity(ChatConfig.Security.defaults().withRate(5, 5)));

    @Test
    void aRoomNotShownCountsUnreadMessagesAndMentionsAndShowingItReadsThem() throws Exception {
        try (TestClient bob = connect("Bob", "news")) {
            bob.welcome();
            ChatPage ann = browsers.launch().open(server.pageUri()).join("Ann", "news");
            ann.awaitUsers("Ann", "Bob");
            openRoom(ann, "desk");

            List<String> said = List.of("the build is green", "@ann can you look at the release notes?",
                    "Annabel says hi", "and @ANN, the changelog too");
            said.forEach(bob::say);
            RoomEntry news = ann.awaitRoom("news", entry -> entry.unread().equals("4"), "four unread in news");
            assertFalse(news.current());
            assertEquals("@", news.mention(), "a mark: messages there name Ann");
            assertEquals("news, 2 online, 2 mentions, 4 unread", news.said(), "read out in words, two of them with @Ann");
            assertEquals("2", news.online(), "the people online, beside the unread count");
            assertEquals("4 unread", ann.text("unread-total"), "the folded list says so too");
            RoomEntry desk = ann.rooms().stream().filter(entry -> entry.label().equals("desk")).findFirst().orElseThrow();
            assertEquals(List.of("", ""), List.of(desk.unread(), desk.mention()), "nothing said where Ann is looking");
            assertNotEquals(style(ann, ".online"), style(ann, ".unread"), "online and unread counts look different");

            ann.clickRoom("news");
            ann.awaitRoomShown("news");
            ann.awaitTexts(said);
            ann.awaitRoom("news", entry -> entry.current() && entry.unread().isEmpty() && entry.mention().isEmpty(),
                    "read once shown");
            bob.say("@Ann one more, while you look");
            ann.awaitMessage("@Ann one more, while you look");
            RoomEntry seen = ann.rooms().stream().filter(entry -> entry.label().equals("news")).findFirst().orElseThrow();
            assertEquals(List.of("", ""), List.of(seen.unread(), seen.mention()), "what is in front of her is read");
            assertFalse(ann.visible("unread-total"));
        }
    }

    @Test
    void aRoomStaysListedWhenTheOthersLeaveAndAcrossAReloadUntilClosed() throws Exception {
        ChatPage lia = browsers.launch().open(server.pageUri()).join("Lia", "porch");
        try (TestClient max = connect("Max", "porch")) {
            max.welcome();
            lia.awaitUsers("Lia", "Max");
            openRoom(lia, "yard");
        }
        lia.awaitRoom("porch", entry -> !entry.current() && entry.online().equals("1"),
                "porch listed still, Lia alone in it, after Max left");

        lia.reload();
        lia.awaitRoomShown("yard");
        lia.awaitRoom("porch", entry -> entry.online().equals("1"), "after a reload, listed and entered again");

        try (TestClient nia = connect("Nia", "porch")) {
            assertEquals(List.of("Lia", "Nia"), TestClient.strings(nia.welcome(), "users"));
            lia.closeRoom("porch");
            lia.browser().await(() -> "porch off the list; rooms " + lia.rooms(),
                    driver -> lia.rooms().stream().map(RoomEntry::label).toList().equals(List.of("yard")));
            assertEquals("Lia", nia.next("leave").getString("user"), "closed means left: Lia is out of porch");
        }
        lia.reload();
        lia.awaitRoomShown("yard");
        lia.awaitRoom("yard", RoomEntry::current, "yard after the reload");
        assertEquals(List.of("yard"), lia.rooms().stream().map(RoomEntry::label).toList(), "a closed room stays closed");
    }

    @Test
    void switchingRoomsTellsNobodyAnything() throws Exception {
        try (TestClient ole = connect("Ole", "red"); TestClient pam = connect("Pam", "blue")) {
            ole.welcome();
            pam.welcome();
            ChatPage quin = browsers.launch().open(server.pageUri()).join("Quin", "red");
            assertEquals("Quin", ole.next("join").getString("user"));
            openRoom(quin, "blue");
            assertEquals("Quin", pam.next("join").getString("user"));

            for (int i = 0; i < 3; i++) {
                quin.clickRoom("red");
                quin.awaitRoomShown("red");
                quin.clickRoom("blue");
                quin.awaitRoomShown("blue");
            }
            quin.say("still in blue");
            assertEquals("still in blue", nextBesidesTyping(pam).getString("msg"), "Pam heard no leave nor join first");
            quin.clickRoom("red");
            quin.awaitRoomShown("red");
            quin.say("and in red");
            assertEquals("and in red", nextBesidesTyping(ole).getString("msg"), "nor did Ole");
            quin.awaitMessage("and in red");
            ole.assertNothingPending();
            pam.assertNothingPending();
            assertEquals(List.of(), quin.notices("join"), "nor does the page show any");
            assertEquals(List.of(), quin.notices("leave"));
        }
    }

    @Test
    void onePageHasOneWebSocketForAllItsRoomsAndConversations() throws Exception {
        ChatPage rex = browsers.launch();
        rex.countSocketsFromTheStart();
        rex.open(server.pageUri()).join("Rex", "one");
        try (TestClient sam = connect("Sam", "two")) {
            sam.welcome();
            openRoom(rex, "two");
            rex.awaitUsers("Rex", "Sam");
            rex.clickUser("Sam");
            rex.awaitRoomShown("@Rex+Sam");
            openRoom(rex, "three");
            rex.clickRoom("one");
            rex.awaitRoomShown("one");

            sam.say("in two, while Rex reads one");
            rex.awaitRoom("two", entry -> entry.unread().equals("1"), "two's message, heard while one is shown");
            try (TestClient samDirect = connect("Sam", "%40Rex")) {
                samDirect.welcome();
                samDirect.say("and a word in private");
                rex.awaitRoom("Sam", entry -> entry.unread().equals("1"), "the conversation's message, heard too");
            }
            rex.say("and one in one");
            rex.awaitMessage("and one in one");
        }
        List<String> sockets = rex.socketsFromTheStart();
        assertEquals(1, sockets.size(), () -> "one WebSocket for four rooms and a conversation: " + sockets);
        assertTrue(sockets.get(0).startsWith("1 ") && sockets.get(0).contains("/chat?v=3&"),
                () -> "the page's own connection, still open: " + sockets);

        rex.reload();
        rex.awaitRoomShown("one");
        rex.awaitRoom("Sam", entry -> true, "the conversation, entered again after the reload");
        assertEquals(1, rex.socketsFromTheStart().size(), () -> "and one after a reload: " + rex.socketsFromTheStart());
    }

    @Test
    void aLostConnectionComesBackInEveryRoomAfterWhatEachShowed() throws Exception {
        ChatPage uma = browsers.launch();
        uma.countSocketsFromTheStart();
        uma.open(server.pageUri()).join("Uma", "east");
        try (TestClient vic = connect("Vic", "east"); TestClient wes = connect("Wes", "west")) {
            vic.welcome();
            wes.welcome();
            vic.say("east one");
            vic.say("east two");
            uma.awaitTexts(List.of("east one", "east two"));
            openRoom(uma, "west");
            wes.say("west one");
            uma.awaitTexts(List.of("west one"));
            String westEpoch = uma.messages().get(0).epoch();
            uma.clickRoom("east");
            uma.awaitRoomShown("east");
            String eastEpoch = uma.messages().get(0).epoch();
            uma.recordSentFrames();

            uma.browser().script("window.socketsFromTheStart[0].close();"); // closed under the page, as by a network drop
            uma.browser().await(() -> "the first socket closed", driver -> uma.<Boolean>script(
                    "return window.socketsFromTheStart[0].readyState === WebSocket.CLOSED;"));
            vic.say("east three, while Uma may be away");
            wes.say("west two, while Uma may be away");
            uma.awaitStatus("online");
            uma.awaitMessage("east three, while Uma may be away");
            uma.awaitRoom("west", entry -> entry.unread().equals("1"), "west's missed message, counted once");

            List<JsonObject> subscribes = uma.<List<String>>script("return window.framesSent;").stream()
                    .map(ManyRoomsTest::json).filter(frame -> frame.getString("type").equals("subscribe")).toList();
            assertEquals(List.of("east since 2 of " + eastEpoch, "west since 1 of " + westEpoch),
                    subscribes.stream().map(frame -> frame.getString("room") + " since " + frame.getInt("since")
                            + " of " + frame.getString("epoch")).toList(),
                    "each room asked again once, after the last message it showed");
            assertEquals(List.of("east one", "east two", "east three, while Uma may be away"), uma.texts(), "each once");
            uma.clickRoom("west");
            uma.awaitRoomShown("west");
            assertEquals(List.of("west one", "west two, while Uma may be away"), uma.texts(), "each once");
            assertEquals(2, uma.socketsFromTheStart().size(), () -> "the lost socket and its one successor: "
                    + uma.socketsFromTheStart());
        }
    }

    @Test
    void aPageWithMoreRoomsThanTheServerTakesAtOnceEntersEveryOneOfThem() throws Exception {
        ChatPage xia = browsers.launch();
        xia.countSocketsFromTheStart();
        xia.open(strict.pageUri());
        List<String> rooms = IntStream.rangeClosed(1, 24).mapToObj(i -> "many" + i).toList();
        xia.script("""
                localStorage.setItem('chat.rooms.Xia',
                  JSON.stringify(Object.fromEntries(arguments[0].map((room, i) => [room, { at: i + 1 }]))));""", rooms);
        xia.join("Xia", "lobby");

        // at the server's pace, or half of it: some seconds
        xia.browser().await(Duration.ofSeconds(40), () -> "25 rooms, Xia online in each; rooms " + xia.rooms(),
                driver -> xia.rooms().size() == 25 && xia.rooms().stream().allMatch(entry -> entry.online().equals("1")));
        List<String> sockets = xia.socketsFromTheStart();
        assertEquals(1, sockets.size(), () -> "all on the first socket, never closed for sending too fast: " + sockets);
        assertTrue(sockets.get(0).startsWith("1 "), () -> "still open: " + sockets);
        assertFalse(xia.visible("composer-error"), () -> "nothing said of the pace: " + xia.text("composer-error"));
        xia.say("here in lobby");
        xia.awaitMessage("here in lobby");
    }

    private static JsonObject json(String text) {
        try (jakarta.json.JsonReader reader = jakarta.json.Json.createReader(new java.io.StringReader(text))) {
            return reader.readObject();
        }
    }

    /** Opens a room by name, as a person does with the form under the list. */
    private static void openRoom(ChatPage page, String room) {
        page.element("room-open").sendKeys(room, Keys.ENTER);
        page.awaitRoomShown(room);
    }

    private static String style(ChatPage page, String selector) {
        return page.script("""
                const style = getComputedStyle(document.querySelector('#room-list ' + arguments[0]));
                return style.backgroundColor + ' ' + style.color + ' ' + style.fontWeight;""", selector);
    }

    /** The next frame that is not someone typing: a page says it types before it sends. */
    private static JsonObject nextBesidesTyping(TestClient client) {
        JsonObject frame;
        do {
            frame = client.next();
        } while (frame.getString("type").equals("typing"));
        assertEquals("chat", frame.getString("type"), "unexpected frame " + frame);
        return frame;
    }

    private static TestClient connect(String name, String room) {
        return TestClient.connect(URI.create(server.chatUri() + "?user=" + name + "&room=" + room));
    }
}

package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.browser.ChatPage.Item;
import dev.jchat.browser.ChatPage.RoomEntry;
import dev.jchat.config.ChatConfig;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.net.URI;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Keys;

/**
 * The room list is the server's "my rooms": two devices of one name (two browser profiles, the second
 * presenting the first one's key) list the same rooms with the same unread and mention counts, reading a
 * room on one clears it on the other, a room closed on one is gone from the other's next visit; and in a
 * direct conversation, "Seen" under our last message the other person read.
 */
class MyRoomsPageTest {

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults());

    @Test
    void twoDevicesOfOneNameListTheSameRoomsAndCountsAndReadingOnOneClearsTheOther() throws Exception {
        try (TestClient bob = connect("Bob", "plaza")) {
            bob.welcome();
            ChatPage laptop = browsers.launch().open(server.pageUri()).join("Cleo", "plaza");
            laptop.awaitUsers("Bob", "Cleo");
            openRoom(laptop, "den");
            openRoom(laptop, "desk");

            ChatPage phone = secondDevice(laptop, "Cleo", "desk");
            phone.browser().await(() -> "den, desk and plaza among the rooms opened (not under More rooms), from the name's"
                    + " rooms on the server: this browser never opened den nor plaza; rooms " + phone.rooms(),
                    driver -> phone.rooms().stream().map(RoomEntry::label).toList().equals(List.of("den", "desk", "plaza")));

            List<String> said = List.of("the plan is on the wall", "@cleo can you check it?", "lunch at one");
            said.forEach(bob::say);
            for (ChatPage page : List.of(laptop, phone)) {
                page.browser().await(() -> "three unread in plaza; rooms " + page.rooms(), driver -> page.rooms().stream()
                        .anyMatch(entry -> entry.label().equals("plaza") && entry.unread().equals("3")));
                RoomEntry plaza = page.rooms().stream().filter(entry -> entry.label().equals("plaza")).findFirst().orElseThrow();
                assertEquals("plaza, 2 online, 1 mention, 3 unread", plaza.said(), "the same counts on both devices");
                assertEquals("@", plaza.mention());
            }

            laptop.recordSentFrames();
            laptop.clickRoom("plaza");
            laptop.awaitRoomShown("plaza");
            laptop.awaitTexts(said);
            phone.awaitRoom("plaza", entry -> entry.unread().isEmpty() && entry.mention().isEmpty(),
                    "read on the laptop, so read on the phone, which shows another room");
            String newest = laptop.messages().get(2).id();
            laptop.browser().await(() -> "the laptop tells the server how far it read; sent " + reads(laptop),
                    driver -> reads(laptop).contains("plaza " + newest));

            // A busy room while the laptop looks at it: a read when the newest message shown changes, not one per message.
            List<String> burst = IntStream.rangeClosed(1, 8).mapToObj(i -> "busy " + i).toList();
            burst.forEach(bob::say);
            Item last = laptop.awaitMessage("busy 8");
            laptop.browser().await(() -> "the last one read; sent " + reads(laptop),
                    driver -> reads(laptop).contains("plaza " + last.id()));
            // (the bound is loose: on a loaded machine the burst may take a few seconds to arrive)
            assertTrue(reads(laptop).size() < 1 + burst.size(),
                    () -> "about one read a second, not one per message: " + reads(laptop));
            phone.awaitRoom("plaza", entry -> entry.unread().isEmpty(), "and those are read on the phone too");

            // Closing a room on one device takes it off the name's rooms: the other's next visit no longer lists it.
            laptop.closeRoom("plaza");
            laptop.browser().await(() -> "plaza off the laptop's list; rooms " + laptop.rooms(),
                    driver -> laptop.rooms().stream().noneMatch(entry -> entry.label().equals("plaza")));
            bob.say("said after Cleo closed plaza");
            phone.reload();
            phone.awaitRoomShown("desk");
            // den and plaza come in one answer of "my rooms": den listed means plaza would be too
            phone.browser().await(() -> "den entered again from the name's rooms, and plaza, closed on the laptop,"
                    + " not listed on the phone's next visit; rooms " + phone.rooms(),
                    driver -> phone.rooms().stream().map(RoomEntry::label).toList().equals(List.of("den", "desk")));
        }
    }

    @Test
    void inADirectConversationSeenShowsUnderOurLastMessageTheOtherRead() throws Exception {
        ChatPage dora = browsers.launch().open(server.pageUri()).join("Dora", "porch");
        ChatPage eli = browsers.launch().open(server.pageUri()).join("Eli", "porch");
        dora.awaitUsers("Dora", "Eli");
        dora.clickUser("Eli");
        dora.awaitRoomShown("@Dora+Eli");
        dora.say("are you there?");
        dora.say("the keys are under the mat");
        dora.awaitTexts(List.of("are you there?", "the keys are under the mat"));

        eli.awaitRoom("Dora", entry -> entry.unread().equals("2"), "the conversation, listed with two unread");
        assertEquals(List.of("", ""), seenMarks(dora), "nothing seen while Eli has not looked");

        eli.clickRoom("Dora");
        eli.awaitRoomShown("@Dora+Eli");
        eli.awaitTexts(List.of("are you there?", "the keys are under the mat"));
        dora.browser().await(() -> "seen under the last message Eli read; " + seenMarks(dora),
                driver -> seenMarks(dora).equals(List.of("", "Seen")));

        eli.say("got it");
        dora.awaitMessage("got it");
        dora.say("great");
        dora.awaitMessage("great");
        eli.awaitMessage("great");
        dora.browser().await(() -> "seen moves to the newest of Dora's messages Eli read; " + seenMarks(dora),
                driver -> seenMarks(dora).equals(List.of("", "", "", "Seen")));
        eli.browser().await(() -> "on Eli's page, seen under his own message Dora read; " + seenMarks(eli),
                driver -> seenMarks(eli).equals(List.of("", "", "Seen", "")));
        assertFalse(dora.messages().get(3).text().contains("Seen"), "the mark is beside the text, not in it");
    }

    /** The same name on a second browser profile: it presents the key the first one was given. */
    private static ChatPage secondDevice(ChatPage first, String name, String room) throws Exception {
        String keys = first.script("return localStorage.getItem('chat.keys');");
        assertTrue(keys != null && keys.contains('"' + name + '"'), "the first device holds the name's key: " + keys);
        ChatPage second = browsers.launch().open(server.pageUri());
        second.script("localStorage.setItem('chat.keys', arguments[0]);", keys);
        return second.join(name, room);
    }

    /** Each message shown, in order: "Seen" when it carries the mark, "" when not. */
    private static List<String> seenMarks(ChatPage page) {
        return page.script("""
                return Array.from(document.querySelectorAll('#messages > li.message'),
                  (li) => li.querySelector(':scope > .seen')?.textContent ?? '');""");
    }

    /** The read frames the page sent since recordSentFrames, as "ROOM ID". */
    private static List<String> reads(ChatPage page) {
        List<String> sent = page.script("return window.framesSent;");
        return sent.stream().map(MyRoomsPageTest::json).filter(frame -> frame.getString("type").equals("read"))
                .map(frame -> frame.getString("room") + " " + frame.getJsonNumber("id").longValue()).toList();
    }

    private static JsonObject json(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }

    /** Opens a room by name, as a person does with the form under the list. */
    private static void openRoom(ChatPage page, String room) {
        page.element("room-open").sendKeys(room, Keys.ENTER);
        page.awaitRoomShown(room);
    }

    private static TestClient connect(String name, String room) {
        return TestClient.connect(URI.create(server.chatUri() + "?user=" + name + "&room=" + room));
    }
}

package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.browser.ChatPage.Item;
import dev.jchat.browser.ChatPage.RoomEntry;
import jakarta.json.JsonObject;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Keys;

/**
 * The room list beside the chat: the rooms opened here, other rooms with people, a click to switch, and
 * coming back loses and repeats nothing.
 */
class RoomsListTest {

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults());

    @Test
    void theListShowsTheRoomsOpenedAndOtherRoomsWithPeopleAndAClickOnOneSwitchesToIt() throws Exception {
        try (TestClient gus = connect("Gus", "garden")) {
            gus.welcome();
            ChatPage page = browsers.launch().open(server.pageUri()).join("Hana", "hall");

            page.awaitRoom("hall", entry -> entry.current() && entry.online().equals("1"),
                    "the room shown, marked as the current one, with Hana in it");
            page.awaitRoom("garden", entry -> !entry.current() && entry.online().equals("1"),
                    "under More rooms, the room of a client that is no page, with its one person");
            assertEquals(List.of("hall"), page.rooms().stream().map(RoomEntry::label).toList(), "only hall is opened here");

            page.clickRoom("garden");
            page.awaitRoomShown("garden");
            page.awaitUsers("Gus", "Hana");
            assertTrue(page.browser().driver().getCurrentUrl().endsWith("#room=garden"), "the address follows");
            page.awaitRoom("garden", entry -> entry.current() && entry.online().equals("2"),
                    "the room now shown, marked, counting both");
            assertEquals(List.of("garden", "hall"), page.rooms().stream().map(RoomEntry::label).toList(),
                    "both opened here now, and listed as such");
            assertEquals("Hana", gus.next("join").getString("user"), "the page really joined Gus's room");
        }
    }

    @Test
    void aMessageSaidInARoomWhileThePageIsElsewhereIsShownOnceOnComingBack() throws Exception {
        try (TestClient ivo = connect("Ivo", "alpha")) {
            ivo.welcome();
            ChatPage page = browsers.launch().open(server.pageUri()).join("Jade", "alpha");
            ivo.say("alpha one");
            page.awaitMessage("alpha one");
            page.say("alpha two");
            page.awaitTexts(List.of("alpha one", "alpha two"));
            List<Item> before = page.items();
            page.recordSockets();

            page.element("room-open").sendKeys("beta", Keys.ENTER);
            page.awaitRoomShown("beta");
            assertEquals(List.of(), page.items(), "another room shows only its own");
            page.say("beta one");
            page.awaitTexts(List.of("beta one"));
            ivo.say("alpha three, while Jade was away");
            awaitOwnChat(ivo, "alpha three, while Jade was away");
            page.awaitRoom("alpha", entry -> !entry.current() && entry.unread().equals("1"), "alpha counts it, unread");

            page.clickRoom("alpha");
            page.awaitRoomShown("alpha");
            ivo.say("alpha four, live");
            page.awaitMessage("alpha four, live");

            List<Item> after = page.items();
            assertEquals(List.of("alpha one", "alpha two", "alpha three, while Jade was away", "alpha four, live"),
                    page.texts(), "what was shown, what was said meanwhile, then what is new: each once, in order");
            assertEquals(before, after.subList(0, before.size()), "the items shown before are back as they were");
            assertEquals(List.of("1", "2", "3", "4"), page.messages().stream().map(Item::id).toList());
            assertEquals(0, page.socketsOpened(), "both rooms on the page's one socket: switching opens none");
            page.browser().driver().navigate().back();
            page.awaitRoomShown("beta");
            assertEquals(List.of("beta one"), page.texts(), "beta's own message is back too, once");
            page.awaitRoom("beta", entry -> entry.current() && entry.online().equals("1"), "beta listed, with Jade in it");
        }
    }

    private static TestClient connect(String name, String room) {
        return TestClient.connect(URI.create(server.chatUri() + "?user=" + name + "&room=" + room));
    }

    private static void awaitOwnChat(TestClient client, String text) {
        JsonObject chat;
        do {
            chat = client.nextChat();
        } while (!chat.getString("msg").equals(text));
    }
}

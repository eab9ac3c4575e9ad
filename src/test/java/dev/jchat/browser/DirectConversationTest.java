package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.browser.ChatPage.RoomEntry;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Keys;

/**
 * Direct conversations in the page: a name in the online list opens one, the other person sees
 * it unread in the Direct part of the room list until they open it, its header says whether the
 * other person is online anywhere, and someone else's is refused in words, back in the room the
 * page came from.
 */
class DirectConversationTest {

    private static final String FORBIDDEN = "This conversation is between two other people; you cannot join it.";
    private static final String UNKNOWN = "Nobody holds that name, so there is no conversation with them.";

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults());

    @Test
    void aNameInTheOnlineListOpensAConversationThatTheOtherSeesUnreadUntilOpened() throws Exception {
        ChatPage ann = browsers.launch().open(server.pageUri()).join("Ann", "");
        ChatPage bob = browsers.launch().open(server.pageUri()).join("Bob", "");
        ann.awaitUsers("Ann", "Bob");
        bob.awaitUsers("Ann", "Bob");

        bob.clickUser("Ann");
        bob.awaitRoomShown("@Ann+Bob");
        assertTrue(bob.browser().driver().getCurrentUrl().endsWith("#room=%40Ann%2BBob"),
                () -> "the conversation's name in the address, + as %2B: " + bob.browser().driver().getCurrentUrl());
        bob.awaitRoom("Ann", RoomEntry::current, "the conversation in Bob's Direct list, as the one shown");
        bob.say("Hi Ann, a word in private?");
        bob.awaitMessage("Hi Ann, a word in private?");

        RoomEntry unread = ann.awaitRoom("Bob", entry -> entry.unread().equals("1"), "one unread from Bob in Ann's Direct list");
        assertFalse(unread.current());
        assertEquals("1 unread", ann.text("unread-total"), "the list's heading says so too, seen folded or not");
        assertEquals(List.of(), ann.texts(), "the lobby shows nothing of it");

        ann.clickRoom("Bob");
        ann.awaitRoomShown("@Ann+Bob");
        assertEquals("Bob", ann.awaitMessage("Hi Ann, a word in private?").name());
        ann.awaitRoom("Bob", entry -> entry.current() && entry.unread().isEmpty(), "read once opened");
        assertFalse(ann.visible("unread-total"));
        ann.say("Sure, go ahead.");
        bob.awaitMessage("Sure, go ahead.");

        ann.element("room-open").sendKeys("lobby", Keys.ENTER);
        ann.awaitRoomShown("lobby");
        ann.awaitRoom("Bob", entry -> !entry.current() && entry.unread().isEmpty(), "still listed, nothing unread");
        ann.reload();
        ann.awaitRoomShown("lobby");
        ann.awaitRoom("Bob", entry -> entry.unread().isEmpty(), "remembered by this browser for Ann");
    }

    @Test
    void theHeaderNamesTheOtherPersonAndWhetherTheyAreOnline() throws Exception {
        ChatPage ida = browsers.launch().open(server.pageUri()).join("Ida", "hall");
        ChatPage jon = browsers.launch().open(server.pageUri()).join("Jon", "hall");
        jon.awaitUsers("Ida", "Jon");
        assertEquals("", jon.peer(), "a room says nothing of anyone in particular");

        jon.clickUser("Ida");
        jon.awaitRoomShown("@Ida+Jon");
        String header = jon.browser().driver().findElement(org.openqa.selenium.By.cssSelector(".room-label")).getText();
        assertEquals("Ida", jon.text("room-name"), "the other person's name");
        assertTrue(header.startsWith("Direct conversation with\nIda") && !header.contains("@") && !header.contains("Jon"),
                () -> "not the room's name, and said to be a direct conversation: " + header);
        jon.browser().await(() -> "Ida online in hall; " + jon.peer(), driver -> jon.peer().equals("online, in hall"));
        jon.say("Are you there?");

        ida.clickRoom("Jon");
        ida.awaitRoomShown("@Ida+Jon");
        assertEquals("Jon", ida.text("room-name"));
        ida.browser().await(() -> "Jon here; " + ida.peer(), driver -> ida.peer().equals("online, in this conversation"));
        jon.browser().await(() -> "Ida here now; " + jon.peer(), driver -> jon.peer().equals("online, in this conversation"));

        String key = jon.browser().script("return JSON.parse(localStorage.getItem('chat.keys'))['Jon'];").toString();
        browsers.close(jon);
        ida.browser().await(() -> "Jon gone; " + ida.peer(), driver -> ida.peer().equals("offline"));
        try (TestClient jonElsewhere = TestClient.connect(URI.create(server.chatUri() + "?user=Jon&room=attic&key=" + key))) {
            jonElsewhere.welcome(); // another device of Jon's, in no room of Ida's
            ida.browser().await(() -> "Jon online again; " + ida.peer(), driver -> ida.peer().equals("online"));
            assertEquals("online", ida.browser().driver().findElement(org.openqa.selenium.By.id("peer")).getText(),
                    "in words, not only the dot's colour");
        }
        ida.browser().await(() -> "Jon gone again; " + ida.peer(), driver -> ida.peer().equals("offline"));
    }

    @Test
    void someoneElsesConversationOrANameNobodyHoldsIsRefusedInWordsAndThePageGoesBack() throws Exception {
        try (TestClient dan = connect("Dan"); TestClient eve = connect("Eve")) {
            dan.welcome();
            eve.welcome();
            ChatPage cyd = browsers.launch().open(server.pageUri()).join("Cyd", "corner");

            cyd.browser().script("location.hash = '#room=%40Dan%2BEve';");
            assertRefusedBack(cyd.awaitNotice("refused"), FORBIDDEN);
            cyd.awaitRoomShown("corner");
            assertTrue(cyd.browser().driver().getCurrentUrl().endsWith("#room=corner"));

            cyd.browser().script("location.hash = '#room=%40Nobody';");
            cyd.browser().await(() -> "a second refusal; " + cyd.describe(), driver -> cyd.notices("refused").size() == 2);
            assertRefusedBack(cyd.notices("refused").get(1).text(), UNKNOWN);
            cyd.awaitRoomShown("corner");
            assertEquals(List.of(), cyd.directs(), "a conversation never entered is not listed");
            cyd.say("still here");
            cyd.awaitMessage("still here");
        }
    }

    /** The page's sentence first (the server's own words may follow), then where the page went back to. */
    private static void assertRefusedBack(String notice, String sentence) {
        assertTrue(notice.startsWith(sentence) && notice.endsWith(" Back in corner."), () -> "the refusal in words: " + notice);
    }

    private static TestClient connect(String name) {
        return TestClient.connect(URI.create(server.chatUri() + "?user=" + name + "&room=lobby"));
    }
}

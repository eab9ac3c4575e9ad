package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.browser.ChatPage.Item;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A reload puts you straight back in your room, under your name, with the recent history once. */
class ReloadTest {

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults());

    @Test
    void aReloadKeepsTheNameAndRoomAndShowsTheRecentHistoryOnce() throws Exception {
        try (TestClient erin = TestClient.connect(URI.create(server.chatUri() + "?user=Erin&room=reload"))) {
            erin.welcome();
            ChatPage dana = browsers.launch().open(server.pageUri()).join("Dana", "reload");
            erin.say("one from Erin");
            dana.awaitMessage("one from Erin");
            dana.say("one from Dana");
            dana.awaitMessage("one from Dana");
            erin.say("two from Erin");
            dana.say("two from Dana");
            List<String> history = List.of("one from Erin", "one from Dana", "two from Erin", "two from Dana");
            dana.awaitTexts(history);
            List<Item> before = dana.messages();

            dana.reload();

            dana.awaitStatus("online");
            assertFalse(dana.visible("join-form"), "no need to give the name again");
            assertTrue(dana.visible("chat-view"));
            assertEquals("reload", dana.text("room-name"), "the room comes back from the address");
            assertTrue(dana.browser().driver().getCurrentUrl().endsWith("#room=reload"));
            dana.awaitUsers("Dana", "Erin");
            // Live traffic comes after the history: once this shows, the history is complete.
            erin.say("after the reload");
            dana.awaitMessage("after the reload");

            List<Item> after = dana.messages();
            assertEquals(List.of("one from Erin", "one from Dana", "two from Erin", "two from Dana", "after the reload"),
                    after.stream().map(Item::text).toList(), "each message once, in order");
            assertEquals(before.stream().map(Item::id).toList(), after.subList(0, 4).stream().map(Item::id).toList(),
                    "the same messages as before the reload");
            assertEquals(5, after.stream().map(Item::id).distinct().count(), "no id twice");
            assertEquals(List.of(false, true, false, true, false), after.stream().map(Item::isOwn).toList(),
                    "Dana's own messages are still hers");
            assertTrue(after.stream().allMatch(item -> item.name() != null && !item.time().isEmpty()));
        }
    }
}

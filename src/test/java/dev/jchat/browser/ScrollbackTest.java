package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.browser.ChatPage.Item;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Scrolling to the top loads older messages, a page at a time, back to the first, without moving what is shown. */
class ScrollbackTest {

    private static final int SENT = 300;

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults()
            .withSecurity(ChatConfig.Security.defaults().withRate(0, 0)));

    @Test
    void scrollingUpShowsEveryOlderMessageOnceInOrderThenSaysThereIsNoMore() throws Exception {
        try (TestClient writer = TestClient.connect(URI.create(server.chatUri() + "?user=Wren&room=scroll"))) {
            writer.welcome();
            for (int i = 1; i <= SENT; i++) {
                writer.say("m" + i);
            }
            for (int i = 1; i <= SENT; i++) {
                writer.nextChat();
            }
        }
        ChatPage page = browsers.launch().open(server.pageUri()).join("Rhea", "scroll");
        page.browser().await(() -> "the recent history; " + page.describe(), driver -> page.messages().size() == 50);

        for (int loads = 0; loads < 10 && page.notices("no-older").isEmpty(); loads++) {
            int shown = page.messages().size();
            String oldest = page.messages().get(0).id();
            page.browser().script("document.getElementById('messages').scrollTop = 0;");
            page.browser().await(() -> "older messages, or the end; " + page.describe(),
                    driver -> page.messages().size() > shown || !page.notices("no-older").isEmpty());
            Number offset = (Number) page.browser().script("""
                    const list = document.getElementById('messages');
                    const item = list.querySelector('li.message[data-id="' + arguments[0] + '"]');
                    return item.getBoundingClientRect().top - list.getBoundingClientRect().top;""", oldest);
            assertTrue(page.messages().size() == shown || offset.doubleValue() < 100,
                    "what was at the top stays in place, the older ones above it, out of sight: " + offset + " px");
        }
        List<String> ids = page.messages().stream().map(Item::id).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= SENT; i++) {
            expected.add(Integer.toString(i));
        }
        assertEquals(expected, ids, "every message once, in order");
        assertEquals("m1", page.messages().get(0).text());
        assertEquals(List.of("No older messages."), page.notices("no-older").stream().map(Item::text).toList());
    }

    @Test
    void messagesArrivingOneByOneIntoAShortListDoNotAskForOlderOnes() throws Exception {
        ChatPage page = browsers.launch().open(server.pageUri()).join("Ida", "live");
        page.recordSentFrames();
        try (TestClient writer = TestClient.connect(URI.create(server.chatUri() + "?user=Jon&room=live"))) {
            writer.welcome();
            for (int i = 1; i <= 20; i++) {
                if (i == 4) {
                    // the list made just short of holding one more: the next message makes the page
                    // scroll itself a few pixels from the top, which is not the reader asking for more
                    page.browser().script("""
                            const list = document.getElementById('messages');
                            const shown = list.querySelectorAll('li.message');
                            const step = shown[shown.length - 1].offsetTop - shown[shown.length - 2].offsetTop;
                            list.style.flex = 'none';
                            list.style.height = '1px';
                            const content = list.scrollHeight;
                            const wanted = content + step - 5;
                            for (let i = 0; i < 2; i++) list.style.height = (parseFloat(getComputedStyle(list).height) + wanted - list.clientHeight) + 'px';""");
                }
                writer.say("live " + i);
                page.awaitMessage("live " + i); // shown before the next comes
                if (i == 4) {
                    Number top = (Number) page.browser().script("return document.getElementById('messages').scrollTop;");
                    assertTrue(top.doubleValue() > 0 && top.doubleValue() <= 40,
                            () -> "the set-up: the page scrolled itself to just below the top, " + top + " px");
                }
            }
        }
        assertEquals(List.of(), page.notices("no-older"), "the first message is shown: nothing older to say");
        assertTrue(page.chatFramesSent().stream().noneMatch(frame -> frame.contains("\"history\"")),
                () -> "asked for history: " + page.chatFramesSent());
    }
}

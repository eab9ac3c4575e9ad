package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.browser.ChatPage.Item;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How a message's text is shown: web links as safe links, nothing else as one; mentions of oneself stand out; the title counts while away. */
class MessageTextTest {

    private static final String LINKED = "Docs at https://example.com/docs?page=2#top, see you there";
    private static final String SCRIPT_URL = "javascript:alert(1)";
    private static final String DATA_URL = "data:text/html,<script>alert(2)</script>";
    private static final String WRAPPED = "<a href=\"javascript:alert(3)\">x</a> or (see http://example.org/wiki/A_(b)).";

    // Every anchor in the list, with what decides where it goes and what it may do.
    private static final String ANCHORS = """
            return Array.from(document.querySelectorAll('#messages a'), (a) => ({
              text: a.textContent, href: a.getAttribute('href'), target: a.target, rel: a.rel,
              message: a.closest('li').querySelector('.text').textContent,
            }));""";

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults());

    @Test
    void webAddressesBecomeLinksThatOpenApartAndOtherSchemesStayText() throws Exception {
        ChatPage page = browsers.launch().open(server.pageUri()).join("Lena", "links");
        page.recordDialogs();
        try (TestClient kai = connect("Kai", "links")) {
            kai.welcome();
            for (String text : List.of(LINKED, SCRIPT_URL, DATA_URL, WRAPPED)) {
                kai.say(text);
            }
            page.awaitTexts(List.of(LINKED, SCRIPT_URL, DATA_URL, WRAPPED));
        }

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> anchors = (List<Map<String, Object>>) page.browser().script(ANCHORS);
        assertEquals(List.of(
                Map.of("text", "https://example.com/docs?page=2#top", "href", "https://example.com/docs?page=2#top",
                        "target", "_blank", "rel", "noopener noreferrer", "message", LINKED),
                Map.of("text", "http://example.org/wiki/A_(b)", "href", "http://example.org/wiki/A_(b)",
                        "target", "_blank", "rel", "noopener noreferrer", "message", WRAPPED)),
                anchors, "the two web addresses, without the punctuation around them, and nothing else");
        List<Item> messages = page.messages();
        assertEquals(0, messages.get(1).elementsInText(), "javascript: stays text");
        assertEquals(0, messages.get(2).elementsInText(), "data: stays text");
        assertEquals(List.of(), page.dialogsOpened(), "no script ran");
    }

    @Test
    void aMessageNamingThePagesPersonIsHighlightedAndOthersAreNot() throws Exception {
        ChatPage page = browsers.launch().open(server.pageUri()).join("Mira", "mentions");
        List<String> said = List.of("@Mira can you look at this?", "mira, you too", "Miranda is someone else",
                "@Kai that one is for me", "Thanks Mira.");
        try (TestClient kai = connect("Kai", "mentions")) {
            kai.welcome();
            said.forEach(kai::say);
            page.awaitTexts(said);
        }
        page.say("Mira here, on it");
        page.awaitMessage("Mira here, on it");

        assertEquals(List.of(true, true, false, false, true, false), page.messages().stream().map(Item::isMention).toList(),
                "her name as a whole word, in any case; not inside another name, nor in her own message");
    }

    @Test
    void theTitleCountsMessagesThatCameWhileTheTabWasHiddenUntilItIsSeenAgain() throws Exception {
        ChatPage page = browsers.launch().open(server.pageUri()).join("Nina", "title");
        try (TestClient kai = connect("Kai", "title")) {
            kai.welcome();
            kai.say("before");
            page.awaitMessage("before");
            assertEquals("Chat", page.title());

            page.setHidden(true);
            kai.say("one");
            kai.say("two");
            kai.say("three");
            page.awaitMessage("three");
            assertEquals("(3) Chat", page.title());

            page.setHidden(false);
            assertEquals("Chat", page.title(), "seen again: nothing to count");
            kai.say("four");
            page.awaitMessage("four");
            assertEquals("Chat", page.title(), "a message shown to a visible tab is not counted");
        }
    }

    private static TestClient connect(String name, String room) {
        return TestClient.connect(URI.create(server.chatUri() + "?user=" + name + "&room=" + room));
    }
}

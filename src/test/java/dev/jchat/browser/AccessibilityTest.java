package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.interactions.Actions;

/**
 * The page for people who do not see it or use no mouse (issue 28): axe-core finds nothing serious or critical
 * in its main views at desktop and phone size, the keyboard alone reaches the composer, sends and closes
 * drawers, and a new message is said politely, alone, never the whole list.
 */
class AccessibilityTest {

    private static final Dimension DESKTOP = new Dimension(1280, 900);
    private static final Dimension PHONE = new Dimension(400, 800);
    private static final Set<String> SERIOUS = Set.of("serious", "critical");

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults());

    private static TestClient writer(String name, String room) {
        TestClient client = TestClient.connect(URI.create(server.chatUri() + "?user=" + name + "&room=" + room));
        client.welcome();
        return client;
    }

    /** axe-core's rules on the page as it is now: no violation of serious or critical impact. */
    private static void assertAxeFindsNothingSerious(ChatPage page, String view) {
        Results results = new AxeBuilder().analyze(page.browser().driver());
        assertFalse(results.isErrored(), () -> "axe ran: " + results.getErrorMessage());
        List<String> serious = results.getViolations().stream().filter(rule -> SERIOUS.contains(rule.getImpact()))
                .map(AccessibilityTest::describe).toList();
        assertEquals(List.of(), serious, view);
    }

    private static String describe(Rule rule) {
        return rule.getImpact() + " " + rule.getId() + " (" + rule.getHelp() + ") at "
                + rule.getNodes().stream().map(node -> String.valueOf(node.getTarget())).toList();
    }

    @Test
    void theMainViewsPassAxeAtDesktopAndPhoneSize() throws Exception {
        ChatPage ann = browsers.launch();
        ann.browser().driver().manage().window().setSize(DESKTOP);
        ann.open(server.pageUri());
        assertAxeFindsNothingSerious(ann, "the join form");
        ann.join("Ann", "axe");
        try (TestClient bob = writer("Bob", "axe")) {
            bob.say("Hello @Ann, see https://example.com/notes");
            ann.awaitMessageStarting("Hello @Ann");
            ann.say("Thanks, reading.");
            ann.awaitMessage("Thanks, reading.");
            bob.say("Another one");
            ann.awaitMessage("Another one");
            assertAxeFindsNothingSerious(ann, "a room, desktop");
            ann.browser().prefersDark(true);
            assertTrue(ann.<Boolean>script("return matchMedia('(prefers-color-scheme: dark)').matches;"));
            assertAxeFindsNothingSerious(ann, "a room, desktop, dark");
            ann.browser().prefersDark(false);

            ann.element("other-device").click();
            assertAxeFindsNothingSerious(ann, "the other device's link");
            ann.element("device-close").click();

            ann.clickUser("Bob");
            ann.awaitRoomShown("@Ann+Bob");
            assertAxeFindsNothingSerious(ann, "a direct conversation, desktop");

            ann.browser().driver().manage().window().setSize(PHONE);
            ann.browser().script("location.hash = '#room=axe';");
            ann.awaitRoomShown("axe");
            ann.awaitMessage("Another one");
            assertAxeFindsNothingSerious(ann, "a room, phone");
            ann.browser().script("document.getElementById('rooms').open = true;");
            assertAxeFindsNothingSerious(ann, "the room list, phone");
            ann.browser().script("document.getElementById('online').open = true;");
            assertAxeFindsNothingSerious(ann, "who is online, phone");
        }
    }

    @Test
    void theKeyboardAloneReachesTheComposerSendsAndClosesDrawers() throws Exception {
        ChatPage cy = browsers.launch();
        cy.browser().driver().manage().window().setSize(DESKTOP);
        cy.open(server.pageUri());
        cy.focused().sendKeys("Cy Keys", Keys.ENTER);   // the name field has the focus; Enter joins
        cy.awaitStatus("online");

        // The page's first stop is the skip button; from there Tab alone reaches the message box too, past the
        // header and the room list.
        assertEquals("skip", cy.<String>script("""
                return Array.from(document.querySelectorAll('button, a[href], input, textarea, select, summary, [tabindex]'))
                  .find((element) => element.getClientRects().length > 0 && element.tabIndex >= 0)?.id;"""));
        cy.browser().script("document.getElementById('skip').focus();");
        assertTrue(cy.focused().isDisplayed(), "shown once it has the focus");
        int tabs = 0;
        while (!"input".equals(cy.focused().getDomAttribute("id")) && tabs < 40) {
            new Actions(cy.browser().driver()).sendKeys(Keys.TAB).perform();
            tabs++;
        }
        assertEquals("input", cy.focused().getDomAttribute("id"), "Tab reaches the composer");
        cy.browser().script("document.getElementById('skip').focus();");
        cy.focused().sendKeys(Keys.ENTER);
        assertEquals("input", cy.focused().getDomAttribute("id"), "the skip button goes straight there");
        cy.focused().sendKeys("typed, not clicked", Keys.ENTER);
        cy.awaitMessage("typed, not clicked");
        assertEquals("", cy.input(), "Enter sent it");

        cy.browser().driver().manage().window().setSize(PHONE);
        cy.browser().await(() -> "the lists folded on a phone", driver -> !cy.roomsOpen());
        cy.browser().script("document.querySelector('#online summary').focus();");
        cy.focused().sendKeys(Keys.ENTER);
        cy.browser().await(() -> "who is online, open", driver -> cy.<Boolean>script("return document.getElementById('online').open;"));
        cy.focused().sendKeys(Keys.ESCAPE);
        cy.browser().await(() -> "Escape closed it", driver -> !cy.<Boolean>script("return document.getElementById('online').open;"));
    }

    @Test
    void aNewMessageIsSaidPolitelyAloneAndNeverTheWholeList() throws Exception {
        ChatPage dee = browsers.launch().open(server.pageUri()).join("Dee", "spoken");
        assertEquals("off", dee.element("messages").getDomAttribute("aria-live"), "the list itself is not read out");
        assertEquals("polite", dee.element("announcer").getDomAttribute("aria-live"));
        try (TestClient eli = writer("Eli", "spoken")) {
            eli.say("first words");
            dee.awaitMessage("first words");
            assertEquals(List.of("Eli: first words"), announced(dee));
            dee.say("my own words");
            dee.awaitMessage("my own words");
            eli.say("second words");
            dee.awaitMessage("second words");
            assertEquals(List.of("Eli: first words", "Eli: second words"), announced(dee), "not our own, not twice");

            dee.element("room-open").sendKeys("elsewhere", Keys.ENTER);
            dee.awaitRoomShown("elsewhere");
            dee.clickRoom("spoken");
            dee.awaitRoomShown("spoken");
            assertEquals(List.of("Eli: first words", "Eli: second words"), announced(dee),
                    "showing a room again says nothing of what it holds");
        }
    }

    private static List<String> announced(ChatPage page) {
        return page.script("return Array.from(document.querySelectorAll('#announcer > p'), (p) => p.textContent);");
    }
}

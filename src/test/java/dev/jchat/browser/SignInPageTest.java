package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import dev.jchat.security.SecurityTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Cookie;

/**
 * The page signs in (issue 25, item 4): with tokens required and {@code CHAT_TOKEN_URL} set, it gets
 * its token from the operator's application with the browser's cookies, chats under the token's
 * name, refreshes the token on the open connection before it runs out, and when the application
 * says 401 it shows the link to {@code CHAT_LOGIN_URL} and stops asking.
 */
class SignInPageTest {

    private static final TokenEndpoint APPLICATION = startApplication();

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults().withHost("127.0.0.1")
            .withSecurity(ChatConfig.Security.defaults().withJwtSecret(SecurityTokens.SECRET).withJwtLeewaySeconds(0) // ends at exp
                    .withSignIn(APPLICATION.url("/token"), APPLICATION.url("/login"))));

    private static TokenEndpoint startApplication() {
        try {
            return TokenEndpoint.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopApplication() {
        APPLICATION.close();
    }

    /** A browser that holds the application's session cookie (127.0.0.1's, whatever the port), or none. */
    private ChatPage browser(String session) throws IOException {
        APPLICATION.allowOrigin(server.pageUri());
        ChatPage page = browsers.launch();
        page.countSocketsFromTheStart();
        if (session != null) {
            page.open(server.pageUri().resolve("health/live")); // a page of the site, to set its cookie on
            page.browser().driver().manage().addCookie(new Cookie(TokenEndpoint.COOKIE, session));
        }
        return page.open(server.pageUri());
    }

    private static void awaitSignInLink(ChatPage page) {
        page.browser().await(() -> "the sign-in link; " + page.describe(), driver -> page.visible("sign-in-link"));
        assertEquals(APPLICATION.url("/login"), page.element("sign-in-link").getDomProperty("href"));
    }

    private static long authFramesSent(ChatPage page) {
        return (Long) page.browser().script(
                "return window.framesSent.filter((frame) => JSON.parse(frame).type === 'auth').length;");
    }

    @Test
    void withoutASessionThePageLinksToTheSignInAndAsksNoMore() throws Exception {
        int before = APPLICATION.asked();
        ChatPage page = browser(null);

        awaitSignInLink(page);
        assertFalse(page.visible("join-form"), "no name to type: the name comes from the sign-in");
        Thread.sleep(1_500);
        assertEquals(1, APPLICATION.asked() - before, "asked once, not in a loop");
        assertEquals(List.of(), page.socketsFromTheStart(), "no connection without a token");
    }

    @Test
    void signedInThePageChatsUnderTheTokensNameRefreshesItAndLinksToTheSignInOnceSignedOut() throws Exception {
        APPLICATION.signIn("erin-session", "Erin");
        APPLICATION.tokensLive(Duration.ofSeconds(5));
        URI observerUri = URI.create(server.chatUri() + "?user=observer&room=lobby&token=" + SecurityTokens.valid("Observer"));
        try (TestClient observer = TestClient.connect(observerUri)) {
            observer.welcome();
            ChatPage page = browser("erin-session");
            page.awaitStatus("online");
            page.recordSentFrames();
            assertEquals("Erin", page.text("me"), "the welcome's name, shown");
            assertFalse(page.visible("join-form"));
            assertFalse(page.visible("leave"), "nothing to leave to: no name to choose");
            page.awaitUsers("Erin", "Observer");

            // past the first token's exp (5 s) and the next's: the same connection all along
            Thread.sleep(7_000);
            List<String> sockets = page.socketsFromTheStart();
            assertEquals(1, sockets.size(), () -> "one connection, refreshed on the way: " + sockets + "; " + page.describe());
            assertTrue(sockets.get(0).startsWith("1 "), () -> "still open: " + sockets);
            assertTrue(authFramesSent(page) >= 2, () -> authFramesSent(page) + " auth frames; " + page.describe());
            page.say("still here");
            assertEquals("Erin", observer.nextChat().getString("user"));

            // signed out at the application: the next refresh gets 401, the link shows, and asking stops
            APPLICATION.signOut("erin-session");
            awaitSignInLink(page);
            page.browser().await(() -> "stopped once the last token ran out; " + page.describe(),
                    driver -> page.statusState().equals("stopped"));
            int asked = APPLICATION.asked();
            Thread.sleep(2_000);
            assertEquals(asked, APPLICATION.asked(), "no more asking once signed out");
            assertTrue(page.visible("sign-in-link"));
        }
    }

    @Test
    void aRefreshedTokenTheServerRefusesIsReplacedOnANewConnection() throws Exception {
        APPLICATION.signIn("switch-session", "Gwen");
        APPLICATION.tokensLive(Duration.ofSeconds(6));
        ChatPage page = browser("switch-session");
        page.awaitStatus("online");
        assertEquals("Gwen", page.text("me"));

        // the application now says another name: its token cannot refresh Gwen's connection (unauthorized)
        APPLICATION.signIn("switch-session", "Hugo");
        page.browser().await(() -> "a new connection as Hugo; " + page.describe(),
                driver -> page.text("me").equals("Hugo") && page.status().equals("online"));
        List<String> sockets = page.socketsFromTheStart();
        assertEquals(2, sockets.size(), () -> "the refused refresh, then one new connection: " + sockets);
        assertTrue(sockets.get(0).startsWith("3 ") && sockets.get(1).startsWith("1 "), sockets::toString);
        assertEquals(List.of("1000 new token"), page.closesFromTheStart(), "closed by the page for the new token, before 4001");
    }
}

package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jchat.TestClient;
import dev.jchat.servers.ServerProcess;
import dev.jchat.servers.TomcatContainerLoginIT;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The page in a WAR with the container's login on (issue 25, item 4): signed in to Tomcat with
 * BASIC (the credentials on every request of the browser, as after its login prompt; set here
 * through DevTools, which headless Chromium has no prompt for), the browser opens the page, which
 * asks for no token and no name, connects as it is (the credentials ride on the handshake), and
 * chats under the login's user.
 */
class ContainerLoginPageIT {

    private static final Map<String, String> PASSWORDS = Map.of("alice", "alice-secret-1", "bob", "bob-secret-1");

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    private static ServerProcess tomcat;

    @BeforeAll
    static void start() throws Exception {
        tomcat = TomcatContainerLoginIT.withLogin(Map.of("CHAT_AUTH", "container"), PASSWORDS, "bob");
    }

    @AfterAll
    static void stop() {
        if (tomcat != null) {
            tomcat.close();
        }
    }

    private static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + PASSWORDS.get(user)).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void signedInToTheServerThePageChatsUnderTheLoginsUserWithNoNameOrToken() throws Exception {
        String basic = basic("bob");
        try (TestClient bob = TestClient.connect(URI.create(tomcat.chatUri() + "?room=hall"), Map.of("Authorization", basic))) {
            assertEquals("bob", bob.welcome().getString("user"), "a WebSocket client signs in with the header");
            ChatPage alice = browsers.launch();
            // signed in as a browser is after BASIC's prompt: the credentials on every request of the page, its socket's too
            ChromeDriver chrome = (ChromeDriver) alice.browser().driver();
            chrome.executeCdpCommand("Network.enable", Map.of());
            chrome.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of("Authorization", basic("alice"))));
            alice.open(tomcat.pageUri(), "hall");
            alice.awaitStatus("online");
            assertEquals("alice", alice.text("me"), "the login's user, from the welcome");
            assertFalse(alice.visible("join-form"), "no name to give");
            alice.awaitUsers("alice", "bob");
            alice.say("signed in by the server");
            assertEquals("alice", bob.nextChat().getString("user"));
        }
    }
}

package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The page is honest about its connection (issue 28): no alarm before a first attempt failed, a banner with
 * "Retry now" when not connected, and every message of ours pending until the server's echo, or failed with
 * Retry when refused or lost with the connection.
 */
class ConnectionTest {

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    private static final Pattern COUNTDOWN = Pattern.compile("Not connected\\. Reconnecting in (\\d+) s\\.");
    private static final int LIMIT = 100;

    private EmbeddedServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private ChatPage join(String name, String room) throws Exception {
        ChatPage page = browsers.launch().open(server.pageUri());
        assertFalse(page.visible("status"), "before joining: no connection state, and no red dot");
        assertEquals("", page.banner());
        page.recordSockets();
        page.join(name, room);
        assertEquals("", page.banner(), "online: no banner");
        return page;
    }

    private TestClient bob(String room) {
        TestClient bob = TestClient.connect(URI.create(server.chatUri() + "?user=Bob&room=" + room));
        bob.welcome();
        return bob;
    }

    @Test
    void aBannerSaysWhenNotConnectedAndRetryNowReconnectsAtOnce() throws Exception {
        server = EmbeddedServer.start(ChatConfig.defaults().withPort(0));
        int port = server.port();
        ChatPage ann = join("Ann", "banner");

        server.close();
        server = null;
        // The backoff doubles with each failed attempt: wait until the next one is far enough away that
        // coming back before it can only be Retry now's doing.
        String banner = ann.browser().await(Duration.ofSeconds(40), () -> "a reconnect 8 s or more away; " + ann.banner(),
                driver -> secondsAway(ann.banner()) >= 8 ? ann.banner() : null);
        assertEquals("reconnecting", ann.statusState());
        server = EmbeddedServer.start(ChatConfig.defaults().withPort(port));
        ann.retryNow();
        ann.awaitStatus(Duration.ofSeconds(secondsAway(banner) - 3), "online well before the countdown ran out: " + banner,
                "online"::equals);
        ann.browser().await(() -> "the banner gone; " + ann.banner(), driver -> ann.banner().isEmpty());
        try (TestClient bob = bob("banner")) {
            ann.say("back");
            assertEquals("back", bob.nextChat().getString("msg"));
        }
    }

    @Test
    void aMessageWrittenWhileNotConnectedWaitsAndGoesOnceWhenBack() throws Exception {
        server = EmbeddedServer.start(ChatConfig.defaults().withPort(0));
        ChatPage ann = join("Ann", "away");
        try (TestClient bob = bob("away")) {
            ann.dropAndHoldReconnects();
            ann.browser().await(() -> "the banner", driver -> ann.banner().startsWith("Not connected."));

            ann.say("written while away");
            assertEquals("", ann.input(), "the box is free for the next message");
            ann.awaitOutgoing("written while away", o -> o.state().equals("Waiting for the connection…"), "waiting");
            assertTrue(ann.messages().stream().noneMatch(m -> "written while away".equals(m.text())),
                    "not shown as sent");

            ann.letReconnect();
            ann.retryNowUnlessBack();          // the backoff may be long by now (or just ran out: then it is back)
            ann.awaitStatus("online");
            ChatPage.Item sent = ann.awaitMessage("written while away");
            assertNotNull(sent.id(), "the server's message, with its id");
            assertEquals(List.of(), ann.outgoing(), "nothing pending any more");
            assertEquals(List.of("written while away"), chatsUntil(bob, "marker"), "Bob got it once");
        }
    }

    @Test
    void aMessageLostWithTheConnectionIsMarkedFailedAndRetrySendsItOnce() throws Exception {
        server = EmbeddedServer.start(ChatConfig.defaults().withPort(0));
        ChatPage ann = join("Ann", "lost");
        try (TestClient bob = bob("lost")) {
            // The socket takes the message and loses it, as a connection that dies at that moment does.
            ann.sendRaw("""
                    const send = socket.send.bind(socket);
                    socket.send = (data) => { if (!String(data).includes('"type":"chat"')) send(data); };""");
            ann.say("lost on the way");
            ann.awaitOutgoing("lost on the way", o -> o.state().equals("Sending…"), "pending until its echo");
            ann.sendRaw("socket.close();");
            ann.awaitOutgoing("lost on the way", ChatPage.Outgoing::failed, "failed once the room's replay showed it lost");
            assertEquals("Not sent: the connection dropped before the server had it.",
                    ann.outgoing().get(0).state());
            ann.awaitStatus("online");

            ann.recordSentFrames();
            ann.clickOutgoing("lost on the way", "retry");
            assertNotNull(ann.awaitMessage("lost on the way").id());
            assertEquals(List.of(), ann.outgoing());
            assertEquals(1, ann.chatFramesSent().size(), "Retry sent it once");
            assertEquals(List.of("lost on the way"), chatsUntil(bob, "marker"), "Bob got it once");
        }
    }

    @Test
    void aRefusedMessageIsMarkedFailedWithRetryAndCanBeEdited() throws Exception {
        server = EmbeddedServer.start(ChatConfig.defaults().withPort(0).withLimits(LIMIT, 65_536));
        ChatPage ann = browsers.launch();
        // A page whose config says more than the server allows (an older page, a changed limit): the server refuses.
        ann.browser().beforeEveryPage("""
                const fetchFromThePage = window.fetch;
                window.fetch = async (...args) => {
                  const response = await fetchFromThePage(...args);
                  if (!String(args[0]).includes('chat-config.json')) return response;
                  const config = await response.json();
                  config.maxMessageChars = 100000;
                  return new Response(JSON.stringify(config), { headers: { 'Content-Type': 'application/json' } });
                };""");
        ann.open(server.pageUri()).join("Ann", "refused");
        String tooLong = "y".repeat(LIMIT + 1);
        ann.recordSentFrames();
        ann.say(tooLong);
        ChatPage.Outgoing failed = ann.awaitOutgoing(tooLong, ChatPage.Outgoing::failed, "refused by the server");
        assertEquals("Not sent: That message is too long.", failed.state());
        ann.clickOutgoing(tooLong, "retry");
        ann.browser().await(() -> "a second try, refused again; " + ann.chatFramesSent().size(),
                driver -> ann.chatFramesSent().size() == 2 && ann.outgoing().stream().allMatch(ChatPage.Outgoing::failed));
        assertEquals(1, ann.outgoing().size(), "one message, tried twice");

        ann.clickOutgoing(tooLong, "edit-unsent");
        assertEquals(tooLong, ann.input(), "back in the box, to shorten");
        assertEquals(List.of(), ann.outgoing());
        ann.type(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"), "short now", org.openqa.selenium.Keys.ENTER);
        assertNotNull(ann.awaitMessage("short now").id());
    }

    /** The chat texts Bob receives until his own marker comes back: what the page sent, each as often as it came. */
    private static List<String> chatsUntil(TestClient bob, String marker) {
        bob.say(marker);
        List<String> texts = new ArrayList<>();
        while (true) {
            JsonObject frame = bob.next();
            if (!"chat".equals(frame.getString("type"))) {
                continue;
            }
            if (frame.getString("msg").equals(marker)) {
                return texts;
            }
            texts.add(frame.getString("msg"));
        }
    }

    private static long secondsAway(String banner) {
        Matcher countdown = COUNTDOWN.matcher(banner);
        return countdown.matches() ? Long.parseLong(countdown.group(1)) : -1;
    }
}

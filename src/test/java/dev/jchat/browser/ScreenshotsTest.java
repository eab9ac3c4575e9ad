package dev.jchat.browser;

import dev.jchat.config.ChatConfig;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;

/**
 * Not a check: makes the pictures of the page in docs/ (a room with the room list, a direct
 * conversation, the phone-sized view, a room in dark mode). Skipped unless asked for:
 * {@code ./mvnw -o test -Dtest=ScreenshotsTest -Dchat.screenshots=true}.
 */
@EnabledIfSystemProperty(named = "chat.screenshots", matches = "true")
class ScreenshotsTest {

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults());

    @Test
    void takeThePicturesOfTheMainViews() throws Exception {
        Path docs = Path.of(System.getProperty("basedir", "."), "docs");
        try (TestClient omar = connect("Omar", "design");
             TestClient pia = connect("Pia", "design");
             TestClient raj = connect("Raj", "ops");
             TestClient bob = connect("Bob", "lobby")) {
            List.of(omar, pia, raj, bob).forEach(TestClient::welcome);
            ChatPage ann = browsers.launch();
            ann.browser().driver().manage().window().setSize(new Dimension(1200, 760));
            ann.open(server.pageUri()).join("Ann", "lobby");
            ann.element("room-open").sendKeys("design", Keys.ENTER);
            ann.awaitRoomShown("design");
            ann.clickRoom("lobby");
            ann.awaitRoomShown("lobby");
            bob.say("Morning! The release notes are up: https://example.com/releases/2.4");
            ann.awaitMessageStarting("Morning!");
            ann.say("Thanks Bob, reading them now.");
            bob.say("@Ann could you check the section on direct conversations?");
            ann.awaitMessageStarting("@Ann");
            ann.say("On it. The room list and the unread counts read well.");
            ann.awaitMessage("On it. The room list and the unread counts read well.");

            try (TestClient bobDirect = connect("Bob", "%40Ann")) {
                bobDirect.welcome();
                bobDirect.say("Got a minute after lunch? Just the two of us.");
                ann.awaitRoom("Bob", entry -> entry.unread().equals("1"), "Bob's message, unread");
                omar.say("@Ann the new mock-ups are in the shared folder.");
                pia.say("The narrow layout works on my phone too.");
                ann.awaitRoom("design", entry -> entry.online().equals("3") && entry.unread().equals("2")
                        && entry.mention().equals("@"), "the design room: three people, two unread, one naming Ann");
                ann.awaitRoom("ops", entry -> entry.online().equals("1"), "under More rooms, ops with Raj");
                ann.browser().screenshot(docs.resolve("screenshot-room.png"));

                ann.clickRoom("Bob");
                ann.awaitRoomShown("@Ann+Bob");
                ann.awaitMessageStarting("Got a minute");
                ann.say("Sure, 14:00 works.");
                ann.awaitMessage("Sure, 14:00 works.");
                bobDirect.say("Great, see you then.");
                ann.awaitMessage("Great, see you then.");
                ann.browser().screenshot(docs.resolve("screenshot-direct.png"));
            }

            ann.clickRoom("design");
            ann.awaitRoomShown("design");
            ann.awaitMessageStarting("The narrow layout");
            ann.browser().prefersDark(true);
            ann.browser().screenshot(docs.resolve("screenshot-dark.png"));
            ann.browser().prefersDark(false);

            // A phone shows one view at a time: here the conversation, under its Rooms and Online buttons.
            ann.browser().driver().manage().window().setSize(new Dimension(400, 800));
            ann.browser().script("location.hash = '#room=lobby';");
            ann.awaitRoomShown("lobby");
            ann.awaitMessage("On it. The room list and the unread counts read well.");
            ann.browser().await(() -> "the lists folded", driver -> !ann.roomsOpen());
            ann.browser().screenshot(docs.resolve("screenshot-narrow.png"));
        }
    }

    private static TestClient connect(String name, String room) {
        return TestClient.connect(URI.create(server.chatUri() + "?user=" + name + "&room=" + room));
    }
}

package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.ServerExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A claimed name is its browser's: the page keeps the key and presents it; another browser cannot take the name. */
class NameClaimTest {

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults());

    @Test
    void aSecondBrowserCannotTakeAClaimedNameAndTheFirstKeepsItAcrossAReload() throws Exception {
        ChatPage owner = browsers.launch().open(server.pageUri()).join("Quinn", "names");
        owner.awaitUsers("Quinn");

        ChatPage other = browsers.launch().open(server.pageUri(), "names");
        other.recordSockets();
        other.submitJoin("Quinn", null);
        other.browser().await(() -> "the join form, saying why; " + other.describe(),
                driver -> other.visible("join-form") && !other.text("join-error").isEmpty());
        assertEquals("Someone else holds that name; choose another name.", other.text("join-error"));
        Thread.sleep(2_000);
        assertEquals(1, other.socketsOpened(), "no retry with a name that is taken");
        other.join("Quincy", null);
        other.awaitUsers("Quincy", "Quinn");

        String stored = (String) owner.browser().script("return localStorage.getItem('chat.keys');");
        assertTrue(stored != null && stored.contains("\"Quinn\""), "the page keeps the name's key: " + stored);
        owner.recordSockets();
        owner.element("leave").click();
        owner.join("Quinn", null);
        List<List<String>> offered = owner.socketProtocols();
        assertEquals(1, offered.size());
        assertEquals("chat.v1", offered.get(0).get(0));
        assertTrue(offered.get(0).get(1).startsWith("key."), "the stored key rides in the subprotocol");

        owner.reload();
        owner.awaitStatus("online");
        owner.awaitUsers("Quincy", "Quinn");
        assertFalse(owner.browser().driver().getCurrentUrl().contains("key"), "never in the address");
    }
}

package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jchat.config.ChatConfig;
import dev.jchat.ServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** "Ugo is typing…" shows on the other page while Ugo types, never on his own, and goes with his message. */
class TypingTest {

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults());

    @Test
    void theOthersSeeWhoIsTypingUntilTheMessageComes() throws Exception {
        ChatPage tess = browsers.launch().open(server.pageUri()).join("Tess", "typing");
        ChatPage ugo = browsers.launch().open(server.pageUri()).join("Ugo", "typing");
        tess.awaitUsers("Tess", "Ugo");

        ugo.type("hel");
        tess.browser().await(() -> "the typing line; " + tess.describe(),
                driver -> tess.visible("typing") && tess.text("typing").equals("Ugo is typing…"));
        assertFalse(ugo.visible("typing"), "nobody is told of their own typing");

        ugo.type("lo");
        ugo.clickSend();
        tess.awaitMessage("hello");
        tess.browser().await(() -> "the typing line gone with the message; " + tess.describe(),
                driver -> !tess.visible("typing"));
        assertEquals("", tess.text("typing"));
    }
}

package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.ServerExtension;
import dev.jchat.config.ChatConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Keys;

/**
 * "Sign out", and a name taken to another device (issue 28): a link with the name's key in its fragment, shown
 * once with a warning, takes the name in a second browser profile and leaves that browser's address at once.
 */
class OtherDeviceTest {

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults());

    @Test
    void aLinkWithTheKeyTakesTheNameToAnotherBrowserAndLeavesItsAddress() throws Exception {
        ChatPage laptop = browsers.launch().open(server.pageUri()).join("Noa", "devices");
        assertEquals("Sign out", laptop.element("leave").getText());

        laptop.element("other-device").click();
        assertTrue(laptop.visible("device-dialog"));
        assertTrue(laptop.text("device-warning").startsWith("Anyone who has this link can chat as Noa."),
                laptop.text("device-warning"));
        String link = laptop.element("device-link").getDomProperty("value");
        assertTrue(link.startsWith(server.pageUri().toString().replaceAll("/$", "") + "/#room=devices&name=Noa&key="), link);
        laptop.focused().sendKeys(Keys.ESCAPE);
        laptop.browser().await(() -> "the dialog closed by Escape", driver -> !laptop.visible("device-dialog"));
        assertEquals("", laptop.element("device-link").getDomProperty("value"), "the link is gone from the page once closed");

        ChatPage phone = browsers.launch().open(java.net.URI.create(link));
        phone.awaitRoomShown("devices");
        String address = phone.browser().driver().getCurrentUrl();
        assertFalse(address.contains("key") || address.contains("name="), () -> "the key left the address: " + address);
        phone.say("from my phone");
        ChatPage.Item onLaptop = laptop.awaitMessage("from my phone");
        assertEquals("Noa", onLaptop.name());
        assertTrue(onLaptop.isOwn(), "the same name on both devices");
        assertTrue(phone.awaitMessage("from my phone").isOwn());
        assertEquals(0, phone.notices("refused").size(), "the key proved the name: no name-taken");
    }
}

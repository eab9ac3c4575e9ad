package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.ServerExtension;
import dev.jchat.browser.ChatPage.Item;
import dev.jchat.config.ChatConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * A moderator in the page (CHAT_MODERATORS, the name proven by the key the page keeps): deletes anyone's
 * message and bans its author, who sees why and can no longer write in that room; everyone sees the
 * moderation as a quiet line in the room.
 */
class ModerationPageTest {

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(ChatConfig.defaults()
            .withSecurity(ChatConfig.Security.defaults().withModerators(List.of("Boss"))));

    @Test
    void aModeratorDeletesAnothersMessageAndBansItsAuthorWhoCanNoLongerWriteThere() throws Exception {
        ChatPage boss = browsers.launch().open(server.pageUri()).join("Boss", "mods"); // claims the name first
        ChatPage bob = browsers.launch().open(server.pageUri()).join("Bob", "mods");
        boss.awaitUsers("Bob", "Boss");
        bob.say("buy cheap watches");
        String spam = boss.awaitMessage("buy cheap watches").id();
        assertEquals(List.of("emoji", "delete", "mute", "ban", "kick"),
                boss.actionsOn(spam).stream().filter(action -> !action.startsWith("react:")).toList(),
                "a moderator may delete anyone's message and act on its author");
        assertEquals(List.of("emoji", "edit", "delete"),
                bob.actionsOn(spam).stream().filter(action -> !action.startsWith("react:")).toList(),
                "Bob is no moderator");

        boss.hoverAndClick(spam, "delete");
        boss.browser().driver().switchTo().alert().accept();
        assertEquals("message deleted", bob.awaitMessageWithId(spam, Item::isDeleted, "deleted by the moderator").text());

        bob.say("you cannot stop me");
        String defiant = boss.awaitMessage("you cannot stop me").id();
        boss.hoverAndClick(defiant, "ban");
        WebElement form = boss.messageElement(defiant).findElement(By.cssSelector("form.moderate"));
        new Select(form.findElement(By.tagName("select"))).selectByVisibleText("1 hour");
        form.findElement(By.tagName("input")).sendKeys("spam");
        assertEquals("Reason", form.findElement(By.tagName("input")).getAccessibleName().strip());
        form.findElement(By.cssSelector("button[type=submit]")).click();

        String line = "Boss banned Bob for 1 hour: spam";
        assertEquals(line, boss.browser().await(() -> "the moderation line; " + boss.describe(),
                driver -> boss.notices("moderation").stream().map(Item::text).filter(line::equals).findFirst().orElse(null)));
        assertEquals(line, bob.awaitNotice("moderation"), "everyone sees it, Bob too");
        String told = bob.awaitNotice("refused");
        assertTrue(told.startsWith("A moderator banned you from this room until ") && told.endsWith("The reason given: spam"),
                told);
        boss.awaitUsers("Boss");
        bob.awaitUsers();

        bob.say("let me back in");
        bob.browser().await(() -> "the ban said again; " + bob.describe(),
                driver -> bob.text("composer-error").startsWith("A moderator banned you from this room"));
        assertEquals("let me back in", bob.input(), "what he wrote stays in the box: nothing was sent");
        boss.say("quiet now");
        boss.awaitMessage("quiet now");
        assertEquals(List.of("message deleted", "you cannot stop me", "quiet now"), boss.texts());
        assertEquals(List.of("message deleted", "you cannot stop me"), bob.texts(), "Bob is out of the room");
    }
}

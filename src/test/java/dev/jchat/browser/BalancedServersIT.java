package dev.jchat.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.browser.ChatPage.Item;
import dev.jchat.engine.redis.RedisServer;
import dev.jchat.servers.NginxBalancer;
import dev.jchat.servers.ServerProcess;
import dev.jchat.servers.StandaloneServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two people chat through nginx (round robin, no stickiness) in front of two standalone jars on
 * one Redis; one jar is killed with SIGKILL, the pages reconnect through nginx to the other and
 * show every message once, in order.
 */
class BalancedServersIT {

    private static final String ROOM = "balanced";

    @RegisterExtension
    static final Browsers browsers = new Browsers();

    private RedisServer redis;
    private final List<ServerProcess> servers = new ArrayList<>();
    private NginxBalancer nginx;

    @AfterEach
    void stopAll() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        servers.forEach(ServerProcess::close);
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void twoPeopleKeepChattingWhenTheServerOfOneOfThemDies() throws Exception {
        redis = RedisServer.start();
        Map<String, String> settings = Map.of("CHAT_REDIS_URL", redis.url(), "CHAT_PRESENCE_TTL_SECONDS", "3");
        servers.add(StandaloneServer.start(settings));
        servers.add(StandaloneServer.start(settings));
        nginx = NginxBalancer.start(servers.stream().map(ServerProcess::port).toList());

        ChatPage alice = browsers.launch().open(nginx.pageUri()).join("Alice", ROOM);
        ChatPage bob = browsers.launch().open(nginx.pageUri()).join("Bob", ROOM);
        alice.awaitUsers("Alice", "Bob");
        alice.say("hello Bob");
        bob.awaitMessage("hello Bob");
        bob.say("hello Alice");
        alice.awaitMessage("hello Alice");

        servers.get(0).kill(); // one of the two pages, or both, loses its server
        Thread.sleep(1_000);   // the kernel closed the dead server's sockets: its pages know by now
        alice.awaitStatus(Duration.ofSeconds(30), "online again through nginx", "online"::equals);
        bob.awaitStatus(Duration.ofSeconds(30), "online again through nginx", "online"::equals);
        alice.say("still there?");
        bob.awaitMessage("still there?");
        bob.say("yes");
        List<String> everything = List.of("hello Bob", "hello Alice", "still there?", "yes");
        alice.awaitTexts(everything);
        bob.awaitTexts(everything);

        for (ChatPage page : List.of(alice, bob)) {
            List<Item> messages = page.messages();
            Set<String> seen = new HashSet<>();
            for (Item message : messages) {
                assertTrue(seen.add(message.epoch() + "/" + message.id()), () -> "shown twice: " + message);
            }
            assertEquals(List.of("1", "2", "3", "4"), messages.stream().map(Item::id).toList(),
                    "one sequence, whichever server the page was on");
            assertEquals(1, messages.stream().map(Item::epoch).distinct().count(), "one epoch: Redis kept the room");
        }
    }
}

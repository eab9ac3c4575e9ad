package dev.jchat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import dev.jchat.Engines;
import dev.jchat.config.ChatConfig;
import dev.jchat.connection.Connections;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;


/**
 * A web container looks for threads an application left behind as soon as the application
 * stops: when the hub's shutdown returns, none of its threads may be alive. A pool says it has
 * terminated while its threads are still returning, so shutting the pools down is not enough
 * (Tomcat once reported {@code chat-timer-1} so in {@code RedisServersIT}).
 */
class ChatHubShutdownTest {

    private static List<Thread> alive(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> !before.contains(thread) && thread.getName().startsWith("chat-"))
                .toList();
    }

    @Test
    void noThreadOfTheHubOutlivesItsShutdown() {
        for (int round = 0; round < 20; round++) { // a thread still returning is a matter of microseconds
            Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
            ChatHub hub = Engines.inMemory(ChatConfig.defaults(), Connections.NONE);
            hub.schedule(() -> { }, Duration.ZERO); // the timer's thread runs
            hub.shutdown(Duration.ZERO);
            assertEquals(List.of(), alive(before), "threads left after the shutdown, round " + round);
        }
    }
}

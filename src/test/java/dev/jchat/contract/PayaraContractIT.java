package dev.jchat.contract;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract against target/chat.war in a real Payara Micro 6, configured through system properties. */
class PayaraContractIT extends ManyRoomsContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.payara(SETTINGS.entrySet().stream().collect(
            Collectors.toMap(e -> e.getKey().toLowerCase(Locale.ROOT).replace('_', '.'), Map.Entry::getValue)), Map.of());

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }

    @Override
    protected URI pageUri() {
        return server.pageUri();
    }

    /**
     * Payara's Tyrus restarts a session's idle timer on every frame, on Payara's managed
     * scheduler, which scans the class path each time; the chat gives its sessions its own
     * (WarConnections). The idle-timeout tests above show that the timer still works.
     */
    @Test
    void tyrusSessionTimersRunOnTheChatsOwnScheduler() throws Exception {
        try (TestClient client = TestClient.connect(URI.create(server.chatUri() + "?user=timers"))) {
            client.welcome();
        }
        String log = server.log();
        assertTrue(log.contains("Tyrus' session timers run on the chat's own scheduler"),
                "WarConnections did not take over the session timers");
        assertFalse(log.contains("Tyrus' session timers stay on the container's scheduler"), "WarConnections gave up");
    }
}

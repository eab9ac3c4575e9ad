package dev.jchat.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract against target/chat.war in a real Payara Micro 6, configured through system properties. */
class PayaraContractIT extends ReadPositionsContract {

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

    /**
     * Payara goes on serving the upgrade request after the endpoint's open returns; a connection
     * closed before it is done, as one refused as it opens is, had that request recycled twice,
     * and another connection's request failed with it: a 301 to "/" (it broke a CI run), a
     * NullPointerException in Payara's log. WarConnections holds such a close until Payara is
     * done. Before, a few in every thousand refusals did it.
     */
    @Test
    void connectionsRefusedAsTheyOpenLeaveEveryOtherRequestAlone() throws Exception {
        String before = server.log();
        int refusals = 0;
        for (int round = 0; round < 150; round++) {
            List<TestClient> clients = new ArrayList<>();
            for (int i = 0; i < 10; i++) { // a name in two scripts: refused in the open, error and close 1008
                clients.add(TestClient.connect(URI.create(server.chatUri() + "?room=" + room() + "&user="
                        + q("\u0430lice" + i))));
                refusals++;
            }
            TestClient welcome = TestClient.connect(URI.create(server.chatUri() + "?room=" + room()));
            welcome.welcome(); // every other handshake in between is served
            clients.add(welcome);
            clients.forEach(TestClient::abort);
        }
        String during = server.log().substring(before.length());
        assertEquals(1500, refusals);
        assertFalse(during.contains("AS-WEB-CORE-00037"), "Payara failed a request while connections were refused");
        assertFalse(during.contains("Response Error during finishResponse"), "Payara failed a response");
        assertFalse(during.contains("before Payara is done with its upgrade request"), "WarConnections gave up waiting");
    }
}

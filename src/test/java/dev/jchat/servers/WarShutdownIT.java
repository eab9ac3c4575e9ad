package dev.jchat.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jchat.TestClient;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stopping a server that runs the WAR closes every chat connection with 1001, as the launcher does. */
class WarShutdownIT {

    private static void assertClientsToldOnStop(ServerProcess server) {
        TestClient named = TestClient.connect(URI.create(server.chatUri() + "?user=alice"));
        TestClient other = TestClient.connect(URI.create(server.chatUri() + "?room=other"));
        named.welcome();
        other.welcome();
        server.close(); // SIGTERM: the server undeploys the WAR
        assertEquals(1001, named.skipToClose().code());
        assertEquals(1001, other.skipToClose().code());
    }

    @Test
    void stoppingTomcatClosesConnectionsWith1001() throws Exception {
        try (ServerProcess server = TomcatServer.start(Map.of())) {
            assertClientsToldOnStop(server);
        }
    }

    @Test
    void stoppingPayaraClosesConnectionsWith1001() throws Exception {
        try (ServerProcess server = PayaraServer.start(Map.of(), Map.of())) {
            assertClientsToldOnStop(server);
        }
    }
}

package dev.jchat.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import dev.jchat.OpsClient;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.launcher.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What an operator sees of the embedded launcher; and its readiness as it shuts down or fills up. */
class EmbeddedOpsTest extends OpsContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(CONFIG);

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }

    @Override
    protected URI pageUri() {
        return server.pageUri();
    }

    @Test
    void notReadyOnceShuttingDownThoughStillAnswering() throws Exception {
        try (EmbeddedServer own = EmbeddedServer.start(CONFIG.withPort(0))) {
            OpsClient ops = new OpsClient(own.pageUri(), null);
            assertEquals(200, ops.get("health/ready", null).statusCode());
            // the hub's shutdown is the first step of close(); the listener still answers after it
            own.hub().shutdown(Duration.ofMillis(100));
            HttpResponse<String> ready = ops.get("health/ready", null);
            assertEquals(503, ready.statusCode());
            assertTrue(ready.body().contains("\"reason\":\"shutting down\""), ready.body());
            assertEquals(200, ops.get("health/live", null).statusCode(), "alive while it closes");
        }
    }

    @Test
    void notReadyWhileFullThenReadyAgain() throws Exception {
        ChatConfig two = CONFIG.withPort(0).withSecurity(CONFIG.security().withMaxConnections(2));
        try (EmbeddedServer own = EmbeddedServer.start(two)) {
            OpsClient ops = new OpsClient(own.pageUri(), null);
            TestClient first = TestClient.connect(URI.create(own.chatUri() + "?user=One"));
            first.welcome();
            assertEquals(200, ops.get("health/ready", null).statusCode(), "one place left");
            try (TestClient second = TestClient.connect(URI.create(own.chatUri() + "?user=Two"))) {
                second.welcome();
                HttpResponse<String> full = ops.get("health/ready", null);
                assertEquals(503, full.statusCode());
                assertTrue(full.body().contains("full"), full.body());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (ops.get("health/ready", null).statusCode() != 200 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(200, ops.get("health/ready", null).statusCode(), "ready again once one left");
            first.close();
        }
    }
}

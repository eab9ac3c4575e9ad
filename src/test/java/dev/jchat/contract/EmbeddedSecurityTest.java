package dev.jchat.contract;

import dev.jchat.launcher.EmbeddedServer;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The security contract against the embedded launcher. */
class EmbeddedSecurityTest extends SecurityContract {

    private static EmbeddedServer server;

    @BeforeAll
    static void start() throws Exception {
        server = EmbeddedServer.start(CONFIG.withPort(0));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }
}

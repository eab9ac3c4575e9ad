package dev.jchat.contract;

import dev.jchat.launcher.EmbeddedServer;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract against the embedded Tyrus/Grizzly launcher, on a free port. */
class EmbeddedContractTest extends ChatContract {

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

    @Override
    protected URI pageUri() {
        return server.pageUri();
    }
}

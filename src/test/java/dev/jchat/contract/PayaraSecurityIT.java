package dev.jchat.contract;

import dev.jchat.servers.PayaraServer;
import dev.jchat.servers.ServerProcess;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The security contract against target/chat.war in a real Payara Micro 6, configured through its environment. */
class PayaraSecurityIT extends SecurityContract {

    private static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = PayaraServer.start(Map.of(), SETTINGS);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }
}

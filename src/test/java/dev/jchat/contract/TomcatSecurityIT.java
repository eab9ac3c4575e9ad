package dev.jchat.contract;

import dev.jchat.servers.ServerProcess;
import dev.jchat.servers.TomcatServer;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The security contract against target/chat.war in a real Tomcat 10.1. */
class TomcatSecurityIT extends SecurityContract {

    private static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = TomcatServer.start(SETTINGS);
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

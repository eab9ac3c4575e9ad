package dev.jchat.contract;

import dev.jchat.servers.ServerProcess;
import dev.jchat.servers.TomcatServer;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract against target/chat.war in a real Tomcat 10.1, configured through environment variables. */
class TomcatContractIT extends ChatContract {

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

    @Override
    protected URI pageUri() {
        return server.pageUri();
    }
}

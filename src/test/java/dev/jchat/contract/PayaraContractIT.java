package dev.jchat.contract;

import dev.jchat.servers.PayaraServer;
import dev.jchat.servers.ServerProcess;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract against target/chat.war in a real Payara Micro 6, configured through system properties. */
class PayaraContractIT extends ChatContract {

    private static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> properties = SETTINGS.entrySet().stream().collect(Collectors.toMap(
                e -> e.getKey().toLowerCase(Locale.ROOT).replace('_', '.'), Map.Entry::getValue));
        server = PayaraServer.start(properties, Map.of());
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

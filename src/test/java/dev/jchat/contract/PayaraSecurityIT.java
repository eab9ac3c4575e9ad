package dev.jchat.contract;

import dev.jchat.ServerExtension;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The security contract against target/chat.war in a real Payara Micro 6, configured through its environment. */
class PayaraSecurityIT extends SecurityContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.payara(Map.of(), SETTINGS);

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }
}

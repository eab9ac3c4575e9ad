package dev.jchat.contract;

import dev.jchat.ServerExtension;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The security contract against target/chat.war in a real Tomcat 10.1, configured through its environment. */
class TomcatSecurityIT extends SecurityContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.tomcat(SETTINGS);

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }
}

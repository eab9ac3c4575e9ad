package dev.jchat.contract;

import dev.jchat.ServerExtension;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract against target/chat.war in a real Tomcat 10.1, configured through environment variables. */
class TomcatContractIT extends ReadPositionsContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.tomcat(SETTINGS);

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }

    @Override
    protected URI pageUri() {
        return server.pageUri();
    }
}

package dev.jchat.contract;

import dev.jchat.ServerExtension;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What an operator sees of target/chat.war in a real Tomcat 10.1. */
class TomcatOpsIT extends OpsContract {

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

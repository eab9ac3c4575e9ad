package dev.jchat.contract;

import dev.jchat.ServerExtension;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP API of target/chat.war in a real Tomcat 10.1, below the web application's context path. */
class TomcatApiIT extends ApiContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.tomcat(SETTINGS);

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }
}

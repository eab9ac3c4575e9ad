package dev.jchat.contract;

import dev.jchat.ServerExtension;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hostile and unlucky clients against target/chat.war in a real Tomcat 10.1. */
class TomcatRobustnessIT extends RobustnessContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.tomcat(SETTINGS);

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }
}

package dev.jchat.contract;

import dev.jchat.ServerExtension;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP API of target/chat.war in a real Payara Micro 6, below the web application's context path. */
class PayaraApiIT extends ApiContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.payara(Map.of(), SETTINGS);

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }
}

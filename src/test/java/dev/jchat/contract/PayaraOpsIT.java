package dev.jchat.contract;

import dev.jchat.ServerExtension;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What an operator sees of target/chat.war in a real Payara Micro 6. */
class PayaraOpsIT extends OpsContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.payara(Map.of(), SETTINGS);

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }

    @Override
    protected URI pageUri() {
        return server.pageUri();
    }
}

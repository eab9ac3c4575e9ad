package dev.jchat.contract;

import dev.jchat.ServerExtension;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract against the embedded Tyrus/Grizzly launcher, on a free port. */
class EmbeddedContractTest extends ReadPositionsContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(CONFIG);

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }

    @Override
    protected URI pageUri() {
        return server.pageUri();
    }
}

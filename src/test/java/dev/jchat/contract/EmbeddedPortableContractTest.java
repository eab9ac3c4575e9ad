package dev.jchat.contract;

import dev.jchat.ServerExtension;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract against the embedded launcher sending through {@code sendText}, the path a WAR
 * takes, where {@link EmbeddedContractTest} covers the frames it writes itself.
 */
class EmbeddedPortableContractTest extends ReadPositionsContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embeddedPortable(CONFIG);

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }

    @Override
    protected URI pageUri() {
        return server.pageUri();
    }
}

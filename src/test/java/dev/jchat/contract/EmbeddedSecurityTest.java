package dev.jchat.contract;

import dev.jchat.ServerExtension;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The security contract against the embedded launcher. */
class EmbeddedSecurityTest extends SecurityContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(CONFIG);

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }
}

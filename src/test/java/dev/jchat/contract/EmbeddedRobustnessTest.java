package dev.jchat.contract;

import dev.jchat.ServerExtension;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hostile and unlucky clients against the embedded Tyrus/Grizzly launcher. */
class EmbeddedRobustnessTest extends RobustnessContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(CONFIG);

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }
}

package dev.jchat.contract;

import dev.jchat.ServerExtension;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hostile and unlucky clients against the embedded launcher with its rooms in Redis. */
class EmbeddedRedisRobustnessTest extends RobustnessContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embeddedOnRedis(CONFIG);

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }

    @Override
    protected boolean roomsInMemory() {
        return false;
    }
}

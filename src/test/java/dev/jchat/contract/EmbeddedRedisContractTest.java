package dev.jchat.contract;

import dev.jchat.ServerExtension;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract against the embedded launcher with its rooms in Redis (a redis-server of the test's own). */
class EmbeddedRedisContractTest extends ReadPositionsContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embeddedOnRedis(CONFIG);

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }

    @Override
    protected URI pageUri() {
        return server.pageUri();
    }
}

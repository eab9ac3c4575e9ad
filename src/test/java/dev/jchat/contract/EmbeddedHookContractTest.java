package dev.jchat.contract;

import dev.jchat.ServerExtension;
import dev.jchat.hook.HookReceiver;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract against the embedded launcher with every chat message and edit going through a
 * publish hook (a real one: {@link HookReceiver}): what every version of the protocol promises
 * holds through it, the order of a connection's frames included.
 */
class EmbeddedHookContractTest extends ReadPositionsContract {

    static final HookReceiver HOOK = HookReceiver.start();

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(CONFIG.withPublishHook(HOOK.url(), 2_000));

    @AfterAll
    static void stopHook() {
        HOOK.close();
    }

    /** Its directory is checked by the other runs; its order is not the hook's. */
    @Override
    @Test
    @Disabled("it reads a chat message before a join that came after it was sent: with a hook the message is"
            + " published when the hook answered, and the join, not held by the hook, may come first")
    void theRoomDirectoryListsRoomsWithPeopleMostFirst() {
    }

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }

    @Override
    protected URI pageUri() {
        return server.pageUri();
    }
}

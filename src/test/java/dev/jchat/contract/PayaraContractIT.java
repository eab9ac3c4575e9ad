package dev.jchat.contract;

import dev.jchat.ServerExtension;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract against target/chat.war in a real Payara Micro 6, configured through system properties. */
class PayaraContractIT extends ChatContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.payara(SETTINGS.entrySet().stream().collect(
            Collectors.toMap(e -> e.getKey().toLowerCase(Locale.ROOT).replace('_', '.'), Map.Entry::getValue)), Map.of());

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }

    @Override
    protected URI pageUri() {
        return server.pageUri();
    }
}

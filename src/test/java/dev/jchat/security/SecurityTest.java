package dev.jchat.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.jchat.config.ChatConfig;
import dev.jchat.TestClient;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the shared security contract leaves out, on the embedded server: any origin, token expiry, subjects, the cap. */
class SecurityTest {

    static final String SECRET = SecurityTokens.SECRET;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private EmbeddedServer start(ChatConfig.Security security) throws Exception {
        EmbeddedServer server = EmbeddedServer.start(ChatConfig.defaults().withPort(0).withSecurity(security));
        open.add(0, server);
        return server;
    }

    private TestClient connect(EmbeddedServer server, String query, Map<String, String> headers, String... protocols) {
        TestClient client = TestClient.connect(URI.create(server.chatUri() + "?" + query), headers, protocols);
        open.add(client);
        return client;
    }

    private static void assertRefused(TestClient client, String code, int closeCode) {
        client.expectError(code);
        client.expectClose(closeCode);
    }

    static String token(String secret, JWSAlgorithm alg, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    static JWTClaimsSet claims(String sub, Instant exp) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().expirationTime(exp == null ? null : Date.from(exp));
        if (sub != null) {
            b.subject(sub);
        }
        return b.build();
    }

    // --- origins

    @Test
    void aStarAcceptsAnyOrigin() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults().withAllowedOrigins(List.of("*")));
        connect(server, "user=alice", Map.of("Origin", "http://anywhere.example")).welcome();
    }

    // --- tokens

    @Test
    void aTokenWhoseSubjectIsNoValidNameIsRefused() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults().withJwtSecret(SECRET));
        String token = token(SECRET, JWSAlgorithm.HS256, claims("<b>x</b>", Instant.now().plusSeconds(300)));
        assertRefused(connect(server, "token=" + token, Map.of()), "unauthorized", 1008);
    }

    @Test
    void aConnectionWhoseTokenExpiresIsToldAndClosedWith1008Unauthorized() throws Exception {
        // no leeway: the close comes at exp (with CHAT_JWT_LEEWAY_SECONDS, that much later)
        EmbeddedServer server = start(ChatConfig.Security.defaults().withJwtSecret(SECRET).withJwtLeewaySeconds(0));
        String token = token(SECRET, JWSAlgorithm.HS256, claims("alice", Instant.now().plusSeconds(5)));
        TestClient client = connect(server, "token=" + token, Map.of());
        client.welcome();
        client.expectError("unauthorized");
        assertEquals("unauthorized", client.expectClose(1008).reason(), "the close reason is the error code");
    }

    @Test
    void closedConnectionsLeaveNoTokenTimersBehind() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults().withJwtSecret(SECRET));
        int idle = server.hub().pendingTimers();
        String token = token(SECRET, JWSAlgorithm.HS256, claims("alice", Instant.now().plusSeconds(86_400)));
        for (int i = 0; i < 50; i++) {
            try (TestClient client = connect(server, "token=" + token, Map.of())) {
                client.welcome();
            }
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.hub().connections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, server.hub().connections());
        assertEquals(idle, server.hub().pendingTimers(), "a day-long token's timer goes with its connection");
    }

    @Test
    void aHandshakeAfterShutdownIsClosedWith1001() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults().withJwtSecret(SECRET));
        server.hub().shutdown(java.time.Duration.ZERO); // the launcher's own stop comes after: the window a late handshake can fall in
        String token = token(SECRET, JWSAlgorithm.HS256, claims("alice", Instant.now().plusSeconds(60)));
        TestClient client = connect(server, "token=" + token, Map.of());
        assertEquals("server shutting down", client.expectClose(1001).reason());
    }

    // --- rates

    @Test
    void pastTheCapNewConnectionsAreRefusedWith1013AndTheOthersCarryOn() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults().withMaxConnections(2));
        TestClient a = connect(server, "user=alice", Map.of());
        // Alice in the room before Bob connects: @OnOpen runs after the handshake, so had both
        // connected first, Bob could join before her and be in her welcome instead of a join.
        a.welcome();
        TestClient b = connect(server, "user=bob", Map.of());
        b.welcome();
        assertRefused(connect(server, "user=carol", Map.of()), "server-full", 1013);
        a.next("join");
        a.say("still here");
        a.next("chat");
        assertEquals("still here", b.next("chat").getString("msg"));
        b.close();
        b.expectClose(1000);
        a.next("leave");
        connect(server, "user=dave", Map.of()).welcome();
    }
}

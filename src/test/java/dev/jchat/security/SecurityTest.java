package dev.jchat.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.jchat.ChatConfig;
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

/** Origins, tokens, rates and the connection cap, on the embedded server. */
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

    static String validToken(String sub) throws Exception {
        return SecurityTokens.valid(sub);
    }

    // --- origins

    @Test
    void theSameOriginAndClientsWithoutOriginAreAccepted() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults());
        connect(server, "user=alice", Map.of("Origin", "http://localhost:" + server.port())).welcome();
        connect(server, "user=bob", Map.of()).welcome();
    }

    @Test
    void foreignLookAlikeAndNullOriginsAreRefusedBeforeAnyRoomContent() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults().withAllowedOrigins(List.of("https://chat.example")));
        TestClient watcher = connect(server, "user=watcher", Map.of());
        watcher.welcome();
        for (String origin : List.of("http://evil.example", "https://chat.example.evil.example",
                "http://localhost:" + server.port() + ".evil.example", "null", "http://localhost:1",
                "https://chat.example:8443")) {
            assertRefused(connect(server, "user=mallory", Map.of("Origin", origin)), "unauthorized", 1008);
        }
        watcher.say("nobody joined");
        assertEquals("nobody joined", watcher.next("chat").getString("msg"), "no join from a refused origin");
    }

    @Test
    void aConfiguredOriginIsAccepted() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults().withAllowedOrigins(List.of("https://chat.example")));
        connect(server, "user=alice", Map.of("Origin", "https://chat.example")).welcome();
    }

    @Test
    void aStarAcceptsAnyOrigin() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults().withAllowedOrigins(List.of("*")));
        connect(server, "user=alice", Map.of("Origin", "http://anywhere.example")).welcome();
    }

    // --- tokens

    @Test
    void everyKindOfBadTokenIsRefused() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults().withJwtSecret(SECRET));
        Instant later = Instant.now().plusSeconds(300);
        List<String> bad = List.of(
                "garbage",
                new PlainJWT(claims("alice", later)).serialize(),                                    // alg none
                token(SECRET + "-but-another", JWSAlgorithm.HS256, claims("alice", later)),          // wrong key
                token(SECRET + SECRET, JWSAlgorithm.HS512, claims("alice", later)),                  // other alg
                token(SECRET, JWSAlgorithm.HS256, claims(null, later)),                              // no sub
                token(SECRET, JWSAlgorithm.HS256, claims("alice", Instant.now().minusSeconds(5))),   // expired
                token(SECRET, JWSAlgorithm.HS256, claims("alice", null)),                            // no exp
                token(SECRET, JWSAlgorithm.HS256, claims("<b>x</b>", later)));                       // bad name
        for (String token : bad) {
            TestClient client = connect(server, "token=" + token, Map.of());
            JsonObject error = client.expectError("unauthorized");
            assertTrue(!error.getString("msg").contains(token), "the token never comes back");
            client.expectClose(1008);
        }
        assertRefused(connect(server, "user=alice", Map.of()), "unauthorized", 1008);
    }

    @Test
    void theNameComesFromTheTokensSubjectWhateverTheQueryOrMessagesSay() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults().withJwtSecret(SECRET));
        TestClient client = connect(server, "user=mallory&token=" + validToken("alice"), Map.of());
        assertEquals("alice", client.welcome().getString("user"));
        client.send("{\"user\":\"mallory\",\"msg\":\"hi\"}");
        assertEquals("alice", client.next("chat").getString("user"));
    }

    @Test
    void theTokenBesideChatV1IsAcceptedAndOnlyChatV1IsSelected() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults().withJwtSecret(SECRET));
        TestClient client = connect(server, "", Map.of(), "chat.v1", validToken("alice"));
        assertEquals("chat.v1", client.subprotocol());
        assertEquals("alice", client.welcome().getString("user"));
    }

    @Test
    void aTokenOfferedAloneAsTheProtocolIsAcceptedAndSelected() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults().withJwtSecret(SECRET));
        String token = validToken("bob");
        TestClient client = connect(server, "", Map.of(), token);
        assertEquals(token, client.subprotocol(), "a browser drops the connection unless its offer is selected");
        assertEquals("bob", client.welcome().getString("user"));
    }

    @Test
    void aConnectionWhoseTokenExpiresIsClosedWith1008() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults().withJwtSecret(SECRET));
        String token = token(SECRET, JWSAlgorithm.HS256, claims("alice", Instant.now().plusSeconds(2)));
        TestClient client = connect(server, "token=" + token, Map.of());
        client.welcome();
        assertEquals(1008, client.skipToClose().code());
    }

    // --- rates

    @Test
    void aBurstIsLimitedWhileOthersSeeOnlyTheAcceptedMessages() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults().withRate(10, 30));
        TestClient flood = connect(server, "user=flood", Map.of());
        TestClient other = connect(server, "user=other", Map.of());
        flood.welcome();
        other.welcome();
        flood.next("join");
        for (int i = 0; i < 100; i++) {
            flood.say("m" + i);
        }
        flood.send("{\"type\":\"ping\"}");
        List<String> acceptedMessages = new ArrayList<>();
        int limited = 0;
        boolean pong = false;
        while (acceptedMessages.size() + limited < 100 || !pong) {
            JsonObject frame = flood.next();
            switch (frame.getString("type")) {
                case "chat" -> acceptedMessages.add(frame.getString("msg"));
                case "error" -> {
                    assertEquals("rate-limited", frame.getString("code"));
                    limited++;
                }
                case "pong" -> pong = true;
                default -> throw new AssertionError("unexpected " + frame);
            }
        }
        int accepted = acceptedMessages.size();
        assertTrue(accepted >= 30 && accepted < 60, "the burst and a little refill get through: " + accepted);
        assertTrue(limited > 40, "the rest is refused: " + limited);
        for (String msg : acceptedMessages) {
            assertEquals(msg, other.next("chat").getString("msg"), "the others see the accepted ones, in order");
        }
        other.say("still fine");
        assertEquals("still fine", other.next("chat").getString("msg"), "another user is not limited");
    }

    @Test
    void sustainedAbuseClosesWith1008() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults().withRate(10, 30));
        TestClient flood = connect(server, "user=flood", Map.of());
        flood.welcome();
        for (int i = 0; i < 200; i++) {
            flood.say("m" + i);
        }
        assertEquals(1008, flood.skipToClose().code());
    }

    // --- connection cap

    @Test
    void pastTheCapNewConnectionsAreRefusedWith1013AndTheOthersCarryOn() throws Exception {
        EmbeddedServer server = start(ChatConfig.Security.defaults().withMaxConnections(2));
        TestClient a = connect(server, "user=alice", Map.of());
        TestClient b = connect(server, "user=bob", Map.of());
        a.welcome();
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

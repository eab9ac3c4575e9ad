package dev.jchat.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.jchat.config.ChatConfig;
import dev.jchat.TestClient;
import dev.jchat.security.JwksServer;
import dev.jchat.security.SecurityTokens;
import jakarta.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Security section of docs/PROTOCOL.md (origins, tokens, rates), run against every runtime
 * with {@link #SETTINGS}: tokens required (HS256 with a secret, and an identity provider's keys
 * served by this JVM), one extra origin allowed, the default rate.
 */
public abstract class SecurityContract {

    /** The identity provider's keys: one of each kind, published for the whole run. */
    private static final List<JWK> IDP_KEYS = keys();
    private static final JwksServer IDP = new JwksServer(IDP_KEYS.toArray(JWK[]::new));
    public static final String ALLOWED_ORIGIN = "https://chat.example";
    public static final Map<String, String> SETTINGS = Map.of(
            "CHAT_JWT_SECRET", SecurityTokens.SECRET,
            "CHAT_JWT_JWKS_URL", IDP.url(),
            "CHAT_ALLOWED_ORIGINS", ALLOWED_ORIGIN,
            "CHAT_RATE_PER_SECOND", "10",
            "CHAT_RATE_BURST", "30",
            "CHAT_JWT_LEEWAY_SECONDS", "0"); // tokens here end when they say: the leeway has its own tests (JwksTokensTest)
    public static final ChatConfig CONFIG = ChatConfig.from(SETTINGS, name -> null);
    private static final int RATE_ABUSE_MINIMUM = 30 + 100; // the burst, then the refusals it takes

    private final String room = "s-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<TestClient> clients = new ArrayList<>();

    /** The endpoint, e.g. {@code ws://localhost:8080/chat}. */
    protected abstract URI chatUri();

    @AfterEach
    void closeClients() {
        clients.forEach(TestClient::close);
    }

    private TestClient connect(String query, Map<String, String> headers, String... protocols) {
        TestClient client = TestClient.connect(URI.create(chatUri() + "?room=" + room + query), headers, protocols);
        clients.add(client);
        return client;
    }

    private TestClient join(String name) throws Exception {
        TestClient client = connect("&token=" + SecurityTokens.valid(name), Map.of());
        client.welcome();
        return client;
    }

    private static void assertRefused(TestClient client, String code, int closeCode) {
        client.expectError(code);
        client.expectClose(closeCode);
    }

    private String ownOrigin() {
        return "http://" + chatUri().getHost() + ":" + chatUri().getPort();
    }

    private static String signed(String secret, JWSAlgorithm alg, String sub, Instant exp) throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder();
        if (sub != null) {
            claims.subject(sub);
        }
        if (exp != null) {
            claims.expirationTime(Date.from(exp));
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims.build());
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static List<JWK> keys() {
        try {
            return List.of(new RSAKeyGenerator(2048).keyID("rsa").generate(),
                    new ECKeyGenerator(Curve.P_256).keyID("ec").generate(),
                    new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed").generate());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- origins

    @Test
    void theSameOriginAConfiguredOneAndNoOriginAreAccepted() throws Exception {
        String token = SecurityTokens.valid("alice");
        connect("&token=" + token, Map.of("Origin", ownOrigin())).welcome();
        connect("&token=" + token, Map.of("Origin", ALLOWED_ORIGIN)).welcome();
        connect("&token=" + token, Map.of()).welcome();
    }

    @Test
    void foreignLookAlikeAndNullOriginsAreRefusedBeforeAnyRoomContent() throws Exception {
        TestClient watcher = join("watcher");
        String token = SecurityTokens.valid("mallory");
        for (String origin : List.of("http://evil.example", ALLOWED_ORIGIN + ".evil.example",
                "http://" + chatUri().getHost() + ".evil.example:" + chatUri().getPort(), "null",
                ALLOWED_ORIGIN + ":8443", "http://chat.example")) {
            assertRefused(connect("&token=" + token, Map.of("Origin", origin)), "unauthorized", 1008);
        }
        watcher.say("nobody came in");
        assertEquals("nobody came in", watcher.next("chat").getString("msg"), "no join from a refused origin");
    }

    // --- tokens

    @Test
    void everyKindOfBadTokenIsRefusedWithoutEchoingIt() throws Exception {
        String secret = SecurityTokens.SECRET;
        Instant later = Instant.now().plusSeconds(300);
        List<String> bad = List.of(
                "garbage",
                new PlainJWT(new JWTClaimsSet.Builder().subject("alice").expirationTime(Date.from(later)).build())
                        .serialize(),                                                   // alg none
                signed(secret + "-other", JWSAlgorithm.HS256, "alice", later),          // wrong signature
                signed(secret + secret, JWSAlgorithm.HS512, "alice", later),            // another algorithm
                signed(secret, JWSAlgorithm.HS256, null, later),                        // no sub
                signed(secret, JWSAlgorithm.HS256, "alice", Instant.now().minusSeconds(60)), // expired past the 30 s leeway
                signed(secret, JWSAlgorithm.HS256, "alice", null));                     // no exp
        for (String token : bad) {
            TestClient client = connect("&token=" + token, Map.of());
            JsonObject error = client.expectError("unauthorized");
            assertFalse(error.toString().contains(token), "the token never comes back");
            client.expectClose(1008);
        }
        assertRefused(connect("&user=alice", Map.of()), "unauthorized", 1008);
    }

    @Test
    void tokensSignedWithTheIdentityProvidersKeysAreAccepted() throws Exception {
        for (JWK key : IDP_KEYS) {
            JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("user-" + key.getKeyID())
                    .expirationTime(Date.from(Instant.now().plusSeconds(300))).build();
            TestClient client = connect("&token=" + JwksServer.sign(key, claims), Map.of());
            assertEquals("user-" + key.getKeyID(), client.welcome().getString("user"), key.getKeyType().getValue());
        }
    }

    @Test
    void theNameIsTheTokensSubject() throws Exception {
        TestClient client = connect("&user=mallory&token=" + SecurityTokens.valid("alice"), Map.of());
        JsonObject welcome = client.welcome();
        assertEquals("alice", welcome.getString("user"));
        assertFalse(welcome.containsKey("key"), "with tokens, no name is claimed and no key issued");
        client.send("{\"user\":\"mallory\",\"msg\":\"hi\"}");
        assertEquals("alice", client.next("chat").getString("user"));
    }

    @Test
    void aTokenBesideChatV1IsAcceptedWithChatV1Selected() throws Exception {
        TestClient client = connect("", Map.of(), "chat.v1", SecurityTokens.valid("alice"));
        assertEquals("chat.v1", client.subprotocol());
        assertEquals("alice", client.welcome().getString("user"));
    }

    @Test
    void aTokenAloneAsTheProtocolIsAcceptedAndSelected() throws Exception {
        String token = SecurityTokens.valid("bob");
        TestClient client = connect("", Map.of(), token);
        assertEquals(token, client.subprotocol());
        assertEquals("bob", client.welcome().getString("user"));
    }

    // --- refresh and expiry (protocol version 3's auth; older versions as before)


    private static String expiringIn(String sub, int seconds) throws Exception {
        return signed(SecurityTokens.SECRET, JWSAlgorithm.HS256, sub, Instant.now().plusSeconds(seconds));
    }

    /**
     * A version-3 connection sends a new token for its name before the first runs out, and outlives
     * it; one whose token runs out unrefreshed gets token-expired and 4001; a version-1 connection
     * is closed as before (unauthorized, 1008).
     */
    @Test
    void aRefreshedTokenOutlivesTheFirstAndAnUnrefreshedOneEndsTheConnection() throws Exception {
        TestClient refreshed = connect("&v=3&token=" + expiringIn("alice", 4), Map.of());
        refreshed.welcome();
        TestClient lapsing = connect("&v=3&token=" + expiringIn("bob", 4), Map.of());
        lapsing.welcome();
        TestClient old = connect("&token=" + expiringIn("carl", 4), Map.of());
        old.welcome();
        Instant later = Instant.now().plusSeconds(300);
        refreshed.send("{\"type\":\"auth\",\"token\":\"" + signed(SecurityTokens.SECRET, JWSAlgorithm.HS256, "alice", later)
                + "\"}");
        assertEquals(later.getEpochSecond(), refreshed.skipTo("auth").getJsonNumber("exp").longValue(), "the new expiry");

        assertEquals("token-expired", lapsing.skipTo("error").getString("code"));
        lapsing.expectClose(4001);
        assertEquals("unauthorized", old.skipTo("error").getString("code"));
        old.expectClose(1008);
        refreshed.send("{\"type\":\"ping\"}");
        refreshed.skipTo("pong");
        assertTrue(refreshed.isOpen(), "past the first token's expiry");
    }

    /** A new token for another name, or a bad one, is refused with unauthorized; the connection and its token stay. */
    @Test
    void aRefreshForAnotherNameOrWithABadTokenIsRefusedAndTheConnectionStays() throws Exception {
        TestClient alice = connect("&v=3&token=" + SecurityTokens.valid("alice"), Map.of());
        alice.welcome();
        for (String token : List.of(SecurityTokens.valid("mallory"), "garbage", expiringIn("alice", -5))) {
            alice.send("{\"type\":\"auth\",\"token\":\"" + token + "\"}");
            JsonObject error = alice.skipTo("error");
            assertEquals("unauthorized", error.getString("code"));
            assertFalse(error.toString().contains(token), "the token never comes back");
        }
        alice.send("{\"type\":\"auth\"}");
        assertEquals("invalid-message", alice.skipTo("error").getString("code"));
        alice.say("still alice");
        assertEquals("alice", alice.skipTo("chat").getString("user"));
        TestClient older = join("olga");
        older.send("{\"type\":\"auth\",\"token\":\"" + SecurityTokens.valid("olga") + "\"}");
        assertEquals("invalid-message", older.skipTo("error").getString("code"), "version 3 only");
    }

    // --- rates

    @Test
    void aBurstIsLimitedWhileOthersSeeOnlyWhatWasAccepted() throws Exception {
        TestClient flood = join("flood");
        TestClient other = join("other");
        flood.next("join");
        for (int i = 0; i < 100; i++) {
            flood.say("m" + i);
        }
        flood.send("{\"type\":\"ping\"}");
        List<String> accepted = new ArrayList<>();
        int limited = 0;
        boolean pong = false;
        while (accepted.size() + limited < 100 || !pong) {
            JsonObject frame = flood.next();
            switch (frame.getString("type")) {
                case "chat" -> accepted.add(frame.getString("msg"));
                case "error" -> {
                    assertEquals("rate-limited", frame.getString("code"));
                    limited++;
                }
                case "pong" -> pong = true;
                default -> throw new AssertionError("unexpected " + frame);
            }
        }
        assertTrue(accepted.size() >= CONFIG.security().rateBurst() && accepted.size() < 70,
                "the burst and some refill pass: " + accepted.size());
        assertTrue(limited > 30, "the rest is refused: " + limited);
        for (String msg : accepted) {
            assertEquals(msg, other.next("chat").getString("msg"), "others see just the accepted ones, in order");
        }
        other.say("unaffected");
        assertEquals("unaffected", other.next("chat").getString("msg"));
    }

    @Test
    void sustainedAbuseClosesWith1008EvenWhileTheFloodStillComes() throws Exception {
        TestClient flood = join("flood");
        int sent = 0;
        while (sent < 300 && flood.trySay("m" + sent)) { // abuse at the 131st; the rest still comes
            sent++;
        }
        assertEquals(300, sent, "the server reads on, ignoring what comes, for a while before it closes");
        boolean refused = false;
        while (true) {
            TestClient.Event event = flood.nextEvent();
            if (event instanceof TestClient.Text text) {
                refused |= text.text().contains("\"rate-limited\"");
            } else if (event instanceof TestClient.Closed closed) {
                // closed only once the flood stopped coming: a close while the client still writes
                // reaches it as a reset, which overtakes the close frame (a browser reports 1006)
                assertEquals(1008, closed.code());
                assertEquals("rate-limited", closed.reason());
                assertTrue(refused, "told before the close");
                return;
            } else {
                throw new AssertionError("the connection ended without its close frame: " + event);
            }
        }
    }
}

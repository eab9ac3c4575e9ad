package dev.jchat.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import dev.jchat.LogLines;
import dev.jchat.OpsClient;
import dev.jchat.TestClient;
import dev.jchat.config.ChatConfig;
import dev.jchat.launcher.EmbeddedServer;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tokens from an identity provider (PROTOCOL.md, Identity v3), on the embedded server: a JWKS
 * served by this test on a free port with keys it generates (RSA, EC P-256, Ed25519), the claims
 * shaped as Keycloak writes them ({@code preferred_username}, {@code realm_access.roles}).
 */
class JwksTokensTest {

    private static final String ISSUER = "https://idp.example/realms/chat";
    private static final String AUDIENCE = "chat";

    private static RSAKey rsa;
    private static ECKey ec;
    private static OctetKeyPair ed;
    private static RSAKey stranger; // never published

    private final List<AutoCloseable> open = new ArrayList<>();
    private JwksServer jwks;

    @BeforeAll
    static void keys() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        ed = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed-1").generate();
        stranger = new RSAKeyGenerator(2048).keyID("rsa-stranger").generate();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private JwksServer jwks(JWK... keys) {
        jwks = new JwksServer(keys);
        open.add(jwks);
        return jwks;
    }

    /** Keycloak's shape: the name in preferred_username, roles in realm_access.roles, issuer and audience checked. */
    private ChatConfig.Security keycloak() {
        return ChatConfig.Security.defaults().withJwtJwksUrl(jwks.url()).withJwtIssuerAndAudience(ISSUER, AUDIENCE)
                .withJwtNameAndRolesClaims("preferred_username", "realm_access.roles");
    }

    private EmbeddedServer start(ChatConfig.Security security) throws Exception {
        EmbeddedServer server = EmbeddedServer.start(ChatConfig.defaults().withPort(0).withSecurity(security));
        open.add(0, server);
        return server;
    }

    private TestClient connect(EmbeddedServer server, String query) {
        TestClient client = TestClient.connect(URI.create(server.chatUri() + "?" + query), Map.of());
        open.add(client);
        return client;
    }

    private static void assertRefused(TestClient client, String code) {
        client.expectError(code);
        client.expectClose(1008);
    }

    /** The claims a Keycloak access token for {@code name} carries, valid five minutes from now. */
    private static JWTClaimsSet.Builder claims(String name, String... roles) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .subject("f3a1c0de-" + name) // Keycloak's sub is an id; the name is preferred_username
                .claim("preferred_username", name)
                .claim("realm_access", Map.of("roles", List.of(roles)))
                .issuer(ISSUER)
                .audience(List.of("account", AUDIENCE))
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)));
    }

    private static String sign(JWK key, JWTClaimsSet claims) throws Exception {
        return JwksServer.sign(key, claims);
    }

    private static String q(String token) {
        return "token=" + token;
    }

    @Test
    void rs256Es256AndEdDsaTokensAreAcceptedWithTheNameOfTheirNameClaim() throws Exception {
        jwks(rsa, ec, ed);
        EmbeddedServer server = start(keycloak());
        assertEquals("alice", connect(server, q(sign(rsa, claims("alice").build()))).welcome().getString("user"));
        assertEquals("bob", connect(server, q(sign(ec, claims("bob").build()))).welcome().getString("user"));
        assertEquals("carol", connect(server, q(sign(ed, claims("carol").build()))).welcome().getString("user"));
        assertEquals(1, jwks.requests(), "the keys were fetched once, at start, and kept");
    }

    @Test
    void everyTokenThatIsNotRightIsRefusedUnauthorized() throws Exception {
        jwks(rsa, ec, ed);
        EmbeddedServer server = start(keycloak());
        Instant now = Instant.now();
        Map<String, Bad> wrong = new java.util.LinkedHashMap<>();
        wrong.put("wrong issuer", new Bad(sign(rsa, claims("alice").issuer("https://other.example/realms/chat").build()), "issuer"));
        wrong.put("wrong audience", new Bad(sign(ec, claims("alice").audience("account").build()), "audience"));
        wrong.put("no audience", new Bad(sign(ec, claims("alice").audience((String) null).build()), "audience"));
        wrong.put("expired beyond the leeway",
                new Bad(sign(ed, claims("alice").expirationTime(Date.from(now.minusSeconds(31))).build()), "expired"));
        wrong.put("not valid yet",
                new Bad(sign(rsa, claims("alice").notBeforeTime(Date.from(now.plusSeconds(120))).build()), "not valid yet"));
        wrong.put("no expiry", new Bad(sign(rsa, claims("alice").expirationTime(null).build()), "no expiry"));
        wrong.put("no name", new Bad(sign(rsa, claims("alice").claim("preferred_username", null).build()), "not a valid name"));
        wrong.put("alg none", new Bad(new PlainJWT(claims("alice").build()).serialize(), "not a signed JWT"));
        wrong.put("HS256 with only a JWKS", new Bad(SecurityTest.token(SecurityTokens.SECRET, JWSAlgorithm.HS256,
                claims("alice").build()), "HS256 are not accepted"));
        wrong.put("a key the JWKS does not hold", new Bad(sign(stranger, claims("alice").build()), "(kid)"));
        wrong.put("a known kid, signed by another key", new Bad(sign(stranger.toRSAKey(), claims("alice").build())
                .replaceFirst("^[^.]+", headerWithKid("rsa-1", JWSAlgorithm.RS256)), "signature is wrong"));
        String good = sign(rsa, claims("alice").build());
        String[] parts = good.split("\\.");
        String otherPayload = Base64URL.encode(claims("mallory", "moderator").build().toString()).toString();
        wrong.put("tampered payload", new Bad(parts[0] + "." + otherPayload + "." + parts[2], "signature is wrong"));
        char last = parts[2].charAt(10);
        wrong.put("tampered signature", new Bad(parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10)
                + (last == 'A' ? 'B' : 'A') + parts[2].substring(11), "signature is wrong"));
        String[] edParts = sign(ed, claims("alice").build()).split("\\.");
        wrong.put("EdDSA, tampered payload", new Bad(edParts[0] + "." + otherPayload + "." + edParts[2], "signature is wrong"));
        wrong.put("EdDSA, signature cut short",
                new Bad(edParts[0] + "." + edParts[1] + "." + edParts[2].substring(8), "signature is wrong"));
        wrong.put("ES256 header on an RS256 signature",
                new Bad(headerWithKid("ec-1", JWSAlgorithm.ES256) + "." + parts[1] + "." + parts[2], "signature"));
        for (Map.Entry<String, Bad> bad : wrong.entrySet()) {
            TestClient client = connect(server, q(bad.getValue().token()));
            try {
                String why = client.expectError("unauthorized").getString("msg");
                assertTrue(why.contains(bad.getValue().because()), "refused for another reason: " + why);
                client.expectClose(1008);
            } catch (AssertionError e) {
                throw new AssertionError(bad.getKey() + ": " + e.getMessage(), e);
            }
        }
        assertEquals("alice", connect(server, q(good)).welcome().getString("user"), "and the right token still opens");
    }

    /** A token that must be refused, and what the refusal must say. */
    private record Bad(String token, String because) {
    }

    private static String headerWithKid(String kid, JWSAlgorithm alg) {
        return new JWSHeader.Builder(alg).keyID(kid).build().toBase64URL().toString();
    }

    @Test
    void theLeewayAllowsClockSkewOnExpiryAndStart() throws Exception {
        jwks(rsa);
        EmbeddedServer server = start(keycloak());
        Instant now = Instant.now();
        connect(server, q(sign(rsa, claims("alice").expirationTime(Date.from(now.minusSeconds(10))).build()))).welcome();
        connect(server, q(sign(rsa, claims("bob").notBeforeTime(Date.from(now.plusSeconds(10))).build()))).welcome();
    }

    @Test
    void aSecretAndAJwksTogetherCheckHs256WithTheSecretAndTheOthersWithTheKeys() throws Exception {
        jwks(ed);
        EmbeddedServer server = start(keycloak().withJwtSecret(SecurityTokens.SECRET));
        connect(server, q(SecurityTest.token(SecurityTokens.SECRET, JWSAlgorithm.HS256, claims("alice").build()))).welcome();
        connect(server, q(sign(ed, claims("bob").build()))).welcome();
        String confused = SecurityTest.token(SecurityTokens.SECRET + "-not-it", JWSAlgorithm.HS256, claims("eve").build());
        assertRefused(connect(server, q(confused)), "unauthorized");
    }

    @Test
    void aKeyAddedAfterStartIsFetchedWhenATokenNamesIt() throws Exception {
        jwks(rsa);
        EmbeddedServer server = start(keycloak());
        connect(server, q(sign(rsa, claims("alice").build()))).welcome();
        ECKey rotated = new ECKeyGenerator(Curve.P_256).keyID("ec-2").generate();
        jwks.publish(rotated);
        assertEquals("bob", connect(server, q(sign(rotated, claims("bob").build()))).welcome().getString("user"));
        assertEquals(2, jwks.requests(), "at start, and once for the new kid");
    }

    @Test
    void aBurstOfUnknownKidsFetchesTheJwksOnceAndWaitsForThatOneFetch() throws Exception {
        jwks(rsa);
        EmbeddedServer server = start(keycloak());
        connect(server, q(sign(rsa, claims("alice").build()))).welcome(); // the start's fetch is done
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            RSAKey unknown = new RSAKey.Builder(stranger).keyID("unknown-" + i).build();
            tokens.add(sign(unknown, claims("user" + i).build()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<TestClient>> clients = new ArrayList<>();
            for (String token : tokens) {
                clients.add(pool.submit(() -> connect(server, q(token))));
            }
            for (Future<TestClient> client : clients) {
                assertRefused(client.get(), "unauthorized");
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(jwks.requests() <= 2, "50 unknown kids, JWKS asked " + jwks.requests() + " times in all");
        // within the minute, a new key is not fetched for: refused until the next hourly fetch or the minute is over
        ECKey rotated = new ECKeyGenerator(Curve.P_256).keyID("ec-late").generate();
        jwks.publish(rotated);
        assertRefused(connect(server, q(sign(rotated, claims("bob").build()))), "unauthorized");
        assertTrue(jwks.requests() <= 2, "at most once a minute for unknown kids: " + jwks.requests());
    }

    @Test
    void aHandshakeWaitsForASlowJwksTwoSecondsAtMost() throws Exception {
        jwks(rsa);
        EmbeddedServer server = start(keycloak());
        connect(server, q(sign(rsa, claims("alice").build()))).welcome(); // the start's fetch is done
        jwks.delayMillis(6_000);
        ECKey rotated = new ECKeyGenerator(Curve.P_256).keyID("ec-slow").generate();
        jwks.publish(rotated);
        long start = System.nanoTime();
        assertRefused(connect(server, q(sign(rotated, claims("bob").build()))), "unauthorized");
        long waited = (System.nanoTime() - start) / 1_000_000;
        // 2 s for the fetch, with room for a loaded machine; the JWKS answers after 6 s and the read gives up after 3
        assertTrue(waited < 4_500, "refused after " + waited + " ms");
    }

    @Test
    void aJwksDownAtStartRefusesTokensAndIsNotReadyUntilItAnswersThenAcceptsThem() throws Exception {
        jwks(rsa);
        jwks.up(false);
        try (LogLines log = new LogLines(JwksKeys.class.getName())) {
            EmbeddedServer server = start(keycloak());
            OpsClient ops = OpsClient.forChat(server.chatUri(), null);
            await(() -> jwks.requests() >= 3, "the JWKS is tried again by itself");
            HttpResponse<String> ready = ops.get("/health/ready", null);
            assertEquals(503, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("JWKS"), ready.body());
            assertEquals(200, ops.get("/health/live", null).statusCode());
            String token = sign(rsa, claims("alice").build());
            assertRefused(connect(server, q(token)), "unauthorized");
            assertEquals(1, log.records().stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue()).count(),
                    () -> "one line for the JWKS down, however many tries: " + log.text());

            jwks.up(true);
            await(() -> ops.get("/health/ready", null).statusCode() == 200, "ready once the JWKS answers");
            assertEquals("alice", connect(server, q(token)).welcome().getString("user"));
        }
    }

    @Test
    void theModeratorRoleInTheRolesClaimMakesAModerator() throws Exception {
        jwks(ec);
        EmbeddedServer server = start(keycloak());
        TestClient boss = connect(server, "v=3&room=hall&" + q(sign(ec, claims("boss", "offline_access", "moderator").build())));
        JsonObject welcome = boss.welcome();
        assertTrue(welcome.getBoolean("moderator", false), welcome::toString);
        TestClient alice = connect(server, "v=3&room=hall&" + q(sign(ec, claims("alice", "user").build())));
        assertFalse(alice.welcome().containsKey("moderator"));
        alice.send("{\"type\":\"kick\",\"room\":\"hall\",\"user\":\"boss\"}");
        assertEquals("forbidden", alice.skipTo("error").getString("code"));
        boss.send("{\"type\":\"kick\",\"room\":\"hall\",\"user\":\"alice\",\"reason\":\"cool off\"}");
        assertEquals("kicked", alice.skipTo("error").getString("code"));
    }

    @Test
    void rolesAsOneSpaceSeparatedStringInTheDefaultClaimCountToo() throws Exception {
        jwks(ed);
        EmbeddedServer server = start(ChatConfig.Security.defaults().withJwtJwksUrl(jwks.url()).withModeratorRole("chat-admin"));
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("boss").claim("roles", "reader chat-admin")
                .expirationTime(Date.from(Instant.now().plusSeconds(60))).build();
        JsonObject welcome = connect(server, "v=3&" + q(sign(ed, claims))).welcome();
        assertEquals("boss", welcome.getString("user"), "the name from sub by default");
        assertTrue(welcome.getBoolean("moderator", false), welcome::toString);
    }

    @Test
    void theRoomsClaimLimitsTheRoomsInTheQueryAndOnSubscribeButNotDirectConversations() throws Exception {
        jwks(rsa);
        EmbeddedServer server = start(keycloak());
        String alice = sign(rsa, claims("alice").claim("rooms", List.of("team-*", "lobby")).build());
        TestClient bob = connect(server, "v=3&room=elsewhere&" + q(sign(rsa, claims("bob").build())));
        bob.welcome(); // no rooms claim: any room

        assertRefused(connect(server, "room=elsewhere&" + q(alice)), "forbidden");
        assertRefused(connect(server, "v=3&room=team&" + q(alice)), "forbidden"); // "team-*" is a prefix of team-..., not team

        TestClient client = connect(server, "v=3&room=team-a&" + q(alice));
        assertEquals("team-a", client.welcome().getString("room"));
        client.send("{\"type\":\"subscribe\",\"room\":\"elsewhere\"}");
        JsonObject refused = client.skipTo("error");
        assertEquals("forbidden", refused.getString("code"));
        assertEquals("elsewhere", refused.getString("room"));
        client.send("{\"type\":\"subscribe\",\"room\":\"lobby\"}");
        assertEquals("lobby", client.skipTo("welcome").getString("room"), "the connection stayed open");
        client.send("{\"type\":\"subscribe\",\"room\":\"@bob\"}");
        assertEquals("@alice+bob", client.skipTo("welcome").getString("room"), "a direct conversation stays open");
    }

    @Test
    void aRoomsClaimThatIsNoListOfRoomsRefusesTheToken() throws Exception {
        jwks(rsa);
        EmbeddedServer server = start(keycloak());
        assertRefused(connect(server, q(sign(rsa, claims("alice").claim("rooms", 42).build()))), "unauthorized");
    }

    @Test
    void noLogLineHoldsAToken() throws Exception {
        jwks(rsa, ed);
        Logger chat = Logger.getLogger("dev.jchat");
        Level before = chat.getLevel();
        LogLines log = new LogLines(""); // every logger's lines
        chat.setLevel(Level.ALL); // and every line the chat writes, DEBUG included
        List<String> tokens = new ArrayList<>();
        try {
            EmbeddedServer server = start(keycloak());
            Instant now = Instant.now();
            tokens.add(sign(rsa, claims("alice").build()));
            tokens.add(sign(ed, claims("bob").expirationTime(Date.from(now.minusSeconds(3600))).build()));
            tokens.add(sign(stranger, claims("carol").build()));
            tokens.add(sign(rsa, claims("dave").issuer("https://elsewhere").build()));
            tokens.add(sign(rsa, claims("<b>x</b>").build()));
            TestClient client = connect(server, "v=3&" + q(tokens.get(0)));
            client.welcome();
            for (String refused : tokens.subList(1, tokens.size())) {
                assertRefused(connect(server, q(refused)), "unauthorized");
            }
            TestClient inProtocol = TestClient.connect(URI.create(server.chatUri().toString()), Map.of(), "chat.v1", tokens.get(0));
            open.add(inProtocol);
            inProtocol.welcome();
            client.close();
        } finally {
            chat.setLevel(before);
            log.close();
        }
        String all = log.text();
        assertTrue(log.records().size() > 5, "the log was captured: " + all);
        for (String token : tokens) {
            String signature = token.substring(token.lastIndexOf('.') + 1);
            assertFalse(all.contains(signature), () -> "a token's signature in the log:\n" + all);
            assertFalse(all.contains(token.substring(0, token.indexOf('.'))) && all.contains(token.split("\\.")[1]),
                    () -> "a token in the log:\n" + all);
        }
    }


    private interface Check {
        boolean done() throws Exception;
    }

    private static void await(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + 40_000_000_000L;
        while (!check.done()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 40 s: " + what);
            }
            Thread.sleep(100);
        }
    }
}

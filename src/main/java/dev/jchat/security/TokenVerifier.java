package dev.jchat.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jchat.message.ErrorCode;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Checks the signed tokens (JWT) a connection presents: HS256 with {@code CHAT_JWT_SECRET}, and
 * RS256, ES256 and EdDSA (Ed25519) with the keys of {@code CHAT_JWT_JWKS_URL} ({@link JwksKeys}).
 * The signatures are Nimbus's (EdDSA's the JDK's, see {@link JdkEd25519Verifier}); this class
 * picks the verifier by the token's algorithm and key,
 * checks the time, issuer and audience, and reads the name, roles and rooms claims.
 *
 * <p>Thread-safe: immutable but for the JWKS, which is. {@link #close} stops the JWKS's thread.
 * No message it produces contains the token.
 */
public final class TokenVerifier implements AutoCloseable {

    /**
     * A verified token.
     *
     * @param name    the name it grants
     * @param expires when it stops being valid here: its {@code exp} plus the leeway
     * @param roles   its roles (none when the claim is missing)
     * @param rooms   the rooms it may enter, or null for any
     */
    public record Identity(String name, Instant expires, List<String> roles, RoomGrant rooms) {
    }

    /**
     * What tokens must be, from the settings ({@code CHAT_JWT_*}).
     *
     * @param secret     the HS256 secret, or null
     * @param jwksUrl    where the public keys are, or null
     * @param issuer     the {@code iss} required, or null
     * @param audience   the {@code aud} required, or null
     * @param leeway     clock skew allowed for {@code exp} and {@code nbf}
     * @param nameClaim  the claim (or dotted path) of the name
     * @param rolesClaim the claim (or dotted path) of the roles
     * @param roomsClaim the claim (or dotted path) of the rooms
     */
    public record Rules(String secret, String jwksUrl, String issuer, String audience, Duration leeway,
                        String nameClaim, String rolesClaim, String roomsClaim) {
    }

    private final Rules rules;
    private final MACVerifier secret; // null without CHAT_JWT_SECRET
    private final JwksKeys jwks;      // null without CHAT_JWT_JWKS_URL

    /** Starts fetching the JWKS, when there is one; the caller closes it. */
    public TokenVerifier(Rules rules) {
        this.rules = rules;
        try {
            this.secret = rules.secret() == null ? null : new MACVerifier(rules.secret().getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable HS256 secret: " + e.getMessage(), e);
        }
        try {
            this.jwks = rules.jwksUrl() == null ? null : new JwksKeys(new URI(rules.jwksUrl()).toURL());
        } catch (URISyntaxException | MalformedURLException e) {
            throw new IllegalArgumentException("unusable JWKS URL: " + e.getMessage(), e);
        }
    }

    /** Why tokens cannot all be verified now (the JWKS was never fetched), or null. */
    public String notReady() {
        return jwks == null ? null : jwks.notReady();
    }

    /**
     * Verifies a token.
     *
     * @param token the compact JWT, or null when the client sent none
     * @throws RefusedException with {@code unauthorized}
     */
    public Identity verify(String token, Instant now) throws RefusedException {
        if (token == null || token.isEmpty()) {
            throw refused("a token is required");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token); // "alg":"none" is no signed JWT: refused here
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw refused("the token is not a signed JWT");
        }
        checkSignature(jwt);
        Instant expires = checkTimes(claims, now);
        if (rules.issuer() != null && !rules.issuer().equals(claims.getIssuer())) {
            throw refused("the token's issuer (iss) is not the one this server accepts");
        }
        if (rules.audience() != null && (claims.getAudience() == null || !claims.getAudience().contains(rules.audience()))) {
            throw refused("the token's audience (aud) does not include this server");
        }
        String name;
        try {
            name = InputRules.name(claim(claims, rules.nameClaim()) instanceof String text ? text : null);
        } catch (RefusedException e) {
            throw refused("the token's " + rules.nameClaim() + " is not a valid name");
        }
        List<String> roles = strings(claim(claims, rules.rolesClaim()));
        Object rooms = claim(claims, rules.roomsClaim());
        List<String> granted = strings(rooms);
        if (rooms != null && granted == null) {
            // a limit that cannot be read must not open every room
            throw refused("the token's " + rules.roomsClaim() + " is not a list of rooms");
        }
        return new Identity(name, expires, roles == null ? List.of() : roles, rooms == null ? null : new RoomGrant(granted));
    }

    /**
     * HS256 only with the secret; RS256, ES256 and EdDSA only with the JWKS's keys: never
     * {@code none}, never one algorithm's key used for another (key confusion).
     */
    private void checkSignature(SignedJWT jwt) throws RefusedException {
        JWSHeader header = jwt.getHeader();
        JWSAlgorithm alg = header.getAlgorithm();
        List<JWSVerifier> verifiers = new ArrayList<>();
        if (JWSAlgorithm.HS256.equals(alg) && secret != null) {
            verifiers.add(secret);
        } else if (jwks != null && (JWSAlgorithm.RS256.equals(alg) || JWSAlgorithm.ES256.equals(alg)
                || JWSAlgorithm.EdDSA.equals(alg))) {
            for (JWK key : jwks.select(matcher(header))) {
                verifiers.add(verifier(key));
            }
            if (verifiers.isEmpty()) {
                throw refused("no key of the identity provider matches the token's key id (kid)");
            }
        } else {
            throw refused("tokens signed with " + alg + " are not accepted here");
        }
        try {
            for (JWSVerifier verifier : verifiers) {
                if (jwt.verify(verifier)) {
                    return;
                }
            }
        } catch (JOSEException e) {
            throw refused("the token's signature cannot be checked");
        }
        throw refused("the token's signature is wrong");
    }

    /** The JWKS's keys for the token: its {@code kid}, the key type and curve of its algorithm, for signing. */
    private static JWKMatcher matcher(JWSHeader header) {
        JWSAlgorithm alg = header.getAlgorithm();
        JWKMatcher.Builder matcher = new JWKMatcher.Builder()
                .keyID(header.getKeyID())
                .keyUses(KeyUse.SIGNATURE, null)
                .algorithms(alg, null);
        if (JWSAlgorithm.RS256.equals(alg)) {
            matcher.keyType(KeyType.RSA);
        } else if (JWSAlgorithm.ES256.equals(alg)) {
            matcher.keyType(KeyType.EC).curve(Curve.P_256);
        } else {
            matcher.keyType(KeyType.OKP).curve(Curve.Ed25519);
        }
        return matcher.build();
    }

    private static JWSVerifier verifier(JWK key) throws RefusedException {
        try {
            if (key instanceof RSAKey rsa) {
                return new RSASSAVerifier(rsa);
            }
            if (key instanceof ECKey ec) {
                return new ECDSAVerifier(ec);
            }
            return new JdkEd25519Verifier((OctetKeyPair) key);
        } catch (JOSEException e) {
            throw refused("the identity provider's key for the token cannot be used");
        }
    }

    /** {@code exp} required; both it and {@code nbf} with the leeway. Returns when the token stops being valid here. */
    private Instant checkTimes(JWTClaimsSet claims, Instant now) throws RefusedException {
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw refused("the token has no expiry (exp)");
        }
        Instant expires = exp.toInstant().plus(rules.leeway());
        if (!expires.isAfter(now)) {
            throw refused("the token has expired");
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && notBefore.toInstant().minus(rules.leeway()).isAfter(now)) {
            throw refused("the token is not valid yet");
        }
        return expires;
    }

    /**
     * The claim at {@code path}: a claim of that very name (providers name their own claims with
     * URLs, dots and all), else the dotted path through nested objects; null when there is none.
     */
    static Object claim(JWTClaimsSet claims, String path) {
        Object whole = claims.getClaim(path);
        if (whole != null || !path.contains(".")) {
            return whole;
        }
        Object at = claims.getClaims();
        for (String part : path.split("\\.")) {
            if (!(at instanceof Map<?, ?> object)) {
                return null;
            }
            at = object.get(part);
        }
        return at;
    }

    /** A list of strings, or one string of space-separated ones (as some providers send scopes and roles); else null. */
    static List<String> strings(Object value) {
        if (value instanceof String text) {
            return Arrays.stream(text.split(" ")).filter(s -> !s.isEmpty()).toList();
        }
        if (!(value instanceof List<?> list) || !list.stream().allMatch(item -> item instanceof String)) {
            return null;
        }
        return list.stream().map(String.class::cast).toList();
    }

    @Override
    public void close() {
        if (jwks != null) {
            jwks.close();
        }
    }

    private static RefusedException refused(String message) {
        return new RefusedException(ErrorCode.UNAUTHORIZED, message);
    }
}

package dev.jchat.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jchat.message.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;

/**
 * Checks the signed tokens (JWT, HS256) that carry a connection's name in {@code sub}. Immutable
 * and thread-safe. No message it produces contains the token.
 */
public final class TokenVerifier {

    /** A verified token: the name it grants and when it stops being valid. */
    public record Identity(String name, Instant expires) {
    }

    private final MACVerifier verifier;

    public TokenVerifier(String secret) {
        try {
            this.verifier = new MACVerifier(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable HS256 secret: " + e.getMessage(), e);
        }
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
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw refused("the token is not a signed JWT");
        }
        // Only HS256: never "none", never a key-confusion switch to another algorithm.
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
            throw refused("the token must be signed with HS256");
        }
        try {
            if (!jwt.verify(verifier)) {
                throw refused("the token's signature is wrong");
            }
        } catch (JOSEException e) {
            throw refused("the token's signature cannot be checked");
        }
        Date expires = claims.getExpirationTime();
        if (expires == null) {
            throw refused("the token has no expiry (exp)");
        }
        if (!expires.toInstant().isAfter(now)) {
            throw refused("the token has expired");
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && notBefore.toInstant().isAfter(now)) {
            throw refused("the token is not valid yet");
        }
        String name;
        try {
            name = InputRules.name(claims.getSubject());
        } catch (RefusedException e) {
            throw refused("the token's subject (sub) is not a valid name");
        }
        return new Identity(name, expires.toInstant());
    }

    private static RefusedException refused(String message) {
        return new RefusedException(ErrorCode.UNAUTHORIZED, message);
    }
}

package dev.jchat.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;

/** Tokens for tests, made the way an application would issue them. */
public final class SecurityTokens {

    public static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

    private SecurityTokens() {
    }

    /** A token for {@code sub}, valid for five minutes, signed with {@link #SECRET}. */
    public static String valid(String sub) throws JOSEException {
        return signedWith(SECRET, sub);
    }

    public static String signedWith(String secret, String sub) throws JOSEException {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(sub)
                .expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }
}

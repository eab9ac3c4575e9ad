package dev.jchat.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.Set;

/**
 * Verifies EdDSA (Ed25519) signatures with the JDK's own Ed25519 (Java 15 and later), as a
 * Nimbus {@link JWSVerifier}: the narrowest glue there is, the cryptography is the JDK's.
 *
 * <p>Why not Nimbus's {@code Ed25519Verifier}: it is built on Google Tink, an optional dependency
 * of Nimbus. Tink can be had, and works in the standalone jar and in Tomcat; but Payara ships its
 * own Nimbus and loads it before the WAR's (parent first), and that Nimbus cannot see the WAR's
 * Tink: every EdDSA token failed there with {@code NoClassDefFoundError} (SecurityContract on
 * Payara). The JDK's Ed25519 is the same everywhere.
 *
 * <p>The glue: the JWK's 32-byte public key {@code x} (RFC 8037) becomes an X.509
 * SubjectPublicKeyInfo (RFC 8410: a fixed 12-byte header, then the key) that the JDK's
 * {@code KeyFactory} reads. Immutable and thread-safe: a {@link Signature} is made per call.
 */
final class JdkEd25519Verifier implements JWSVerifier {

    /** SEQUENCE { SEQUENCE { OID 1.3.101.112 (Ed25519) }, BIT STRING (33 bytes: 0 unused bits, the key) }. */
    private static final byte[] SPKI_HEADER = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final int KEY_BYTES = 32;

    private final PublicKey key;
    private final JCAContext jca = new JCAContext();

    JdkEd25519Verifier(OctetKeyPair jwk) throws JOSEException {
        byte[] x = jwk.getDecodedX();
        if (!Curve.Ed25519.equals(jwk.getCurve()) || x.length != KEY_BYTES) {
            throw new JOSEException("not an Ed25519 public key");
        }
        byte[] spki = new byte[SPKI_HEADER.length + KEY_BYTES];
        System.arraycopy(SPKI_HEADER, 0, spki, 0, SPKI_HEADER.length);
        System.arraycopy(x, 0, spki, SPKI_HEADER.length, KEY_BYTES);
        try {
            key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            throw new JOSEException("the Ed25519 key cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return Set.of(JWSAlgorithm.EdDSA);
    }

    @Override
    public JCAContext getJCAContext() {
        return jca;
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
        if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
            throw new JOSEException("not an EdDSA token");
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            return false; // as Nimbus's own verifiers: a critical header this server does not know is refused
        }
        try {
            Signature ed25519 = Signature.getInstance("Ed25519");
            ed25519.initVerify(key);
            ed25519.update(signingInput);
            return ed25519.verify(signature.decode());
        } catch (SignatureException e) {
            return false; // a signature of the wrong shape is a wrong signature
        } catch (GeneralSecurityException e) {
            throw new JOSEException("Ed25519 is not available: " + e.getMessage(), e);
        }
    }
}

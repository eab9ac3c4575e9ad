package dev.jchat.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An identity provider's JWKS endpoint for tests, on a free port of this machine: what it
 * publishes (the public halves of the keys it is given), whether it answers, how slowly, and how
 * often it was asked. Thread-safe.
 */
public final class JwksServer implements AutoCloseable {

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile JWKSet keys;
    private volatile boolean up = true;
    private volatile long delayMillis;

    /** Publishes the public halves of {@code keys} at {@link #url()}. */
    public JwksServer(JWK... keys) {
        this.keys = new JWKSet(List.of(keys)).toPublicJWKSet();
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/certs", exchange -> {
            requests.incrementAndGet();
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            boolean answers = up;
            byte[] body = (answers ? this.keys.toString(true) : "{\"error\":\"down\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answers ? 200 : 503, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/certs";
    }

    /** How many times it was asked for the keys. */
    public int requests() {
        return requests.get();
    }

    /** Whether it answers with the keys (else 503). */
    public void up(boolean value) {
        up = value;
    }

    /** How long it takes to answer. */
    public void delayMillis(long value) {
        delayMillis = value;
    }

    /** Publishes more keys, beside those it has (a rotation). */
    public void publish(JWK... more) {
        List<JWK> all = new ArrayList<>(keys.getKeys());
        all.addAll(new JWKSet(List.of(more)).toPublicJWKSet().getKeys());
        keys = new JWKSet(all);
    }

    /** A token signed with {@code key}: RS256, ES256 or EdDSA by its type, with its {@code kid}. */
    public static String sign(JWK key, JWTClaimsSet claims) throws Exception {
        JWSAlgorithm alg;
        JWSSigner signer;
        if (key instanceof RSAKey rsa) {
            alg = JWSAlgorithm.RS256;
            signer = new RSASSASigner(rsa);
        } else if (key instanceof ECKey ec) {
            alg = JWSAlgorithm.ES256;
            signer = new ECDSASigner(ec);
        } else {
            alg = JWSAlgorithm.EdDSA;
            signer = new Ed25519Signer((OctetKeyPair) key);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package dev.jchat.browser;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.jchat.security.SecurityTokens;
import jakarta.json.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator's application as the page meets it: {@code GET /token} answers a fresh HS256 token
 * (signed with {@link SecurityTokens#SECRET}) for the name whose {@code session} cookie came with
 * it, and 401 without one; with CORS for the page's origin and its credentials, since it listens
 * on a port of its own. Thread-safe: its sessions and counts are concurrent.
 */
final class TokenEndpoint implements AutoCloseable {

    static final String COOKIE = "session";

    private final HttpServer server;
    private final Map<String, String> sessions = new ConcurrentHashMap<>(); // cookie value -> name
    private final AtomicInteger asked = new AtomicInteger();
    private volatile Duration life = Duration.ofMinutes(5);
    private volatile String pageOrigin = "";

    private TokenEndpoint(HttpServer server) {
        this.server = server;
    }

    static TokenEndpoint start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        TokenEndpoint endpoint = new TokenEndpoint(server);
        server.createContext("/token", endpoint::token);
        server.start();
        return endpoint;
    }

    /** An address of this application, on 127.0.0.1: the page's site, so its cookies come along. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The origin allowed to read the answers with credentials. */
    void allowOrigin(URI page) {
        pageOrigin = page.getScheme() + "://" + page.getRawAuthority();
    }

    void signIn(String session, String name) {
        sessions.put(session, name);
    }

    void signOut(String session) {
        sessions.remove(session);
    }

    /** How long the tokens issued from now on live. */
    void tokensLive(Duration value) {
        life = value;
    }

    /** How many times {@code /token} was asked, answered or not. */
    int asked() {
        return asked.get();
    }

    private void token(HttpExchange exchange) throws IOException {
        asked.incrementAndGet();
        exchange.getResponseHeaders().set("Access-Control-Allow-Origin", pageOrigin);
        exchange.getResponseHeaders().set("Access-Control-Allow-Credentials", "true");
        exchange.getResponseHeaders().set("Vary", "Origin");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        String name = sessionName(exchange.getRequestHeaders().getFirst("Cookie"));
        if (name == null) {
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
            return;
        }
        byte[] body;
        try {
            body = Json.createObjectBuilder().add("token", issue(name)).build().toString().getBytes(StandardCharsets.UTF_8);
        } catch (JOSEException e) {
            throw new IOException("cannot sign a token", e);
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private String sessionName(String cookies) {
        if (cookies == null) {
            return null;
        }
        for (String cookie : cookies.split(";")) {
            String[] pair = cookie.strip().split("=", 2);
            if (pair.length == 2 && pair[0].equals(COOKIE)) {
                return sessions.get(pair[1]);
            }
        }
        return null;
    }

    /** As an application would issue one: the name as {@code sub}, with {@code iat} and {@code exp}. */
    private String issue(String name) throws JOSEException {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(name).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(life))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(SecurityTokens.SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

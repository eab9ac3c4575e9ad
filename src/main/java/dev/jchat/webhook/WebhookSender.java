package dev.jchat.webhook;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * POSTs one webhook body to {@code CHAT_WEBHOOK_URL} with the JDK's {@link HttpClient}, signed
 * when a secret is set, and answers the status (or fails: no answer within {@link #TIMEOUT}).
 * Asynchronous: no thread waits for an answer. Thread-safe.
 */
final class WebhookSender {

    /** A delivery counts only when the receiver answers 2xx within this. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final String SIGNATURE = "Chat-Signature";

    private final URI url;
    private final byte[] secret; // null: unsigned
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade offered on http://: some receivers refuse a POST with one
            .build();

    WebhookSender(String url, String secret) {
        this.url = URI.create(url);
        this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends {@code body}; completes with the receiver's status, or fails (no connection, no answer in time). */
    CompletableFuture<Integer> send(String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (secret != null) {
            request.header(SIGNATURE, signature(System.currentTimeMillis() / 1000, body));
        }
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode);
    }

    /** {@code t=<seconds>,v1=<hex HMAC-SHA256 of "t.body">}. */
    String signature(long seconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] digest = mac.doFinal((seconds + "." + body).getBytes(StandardCharsets.UTF_8));
            return "t=" + seconds + ",v1=" + HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}

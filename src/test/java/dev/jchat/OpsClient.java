package dev.jchat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Asks a running chat server what an operator asks it: {@code /metrics} and {@code /health/*},
 * over real HTTP, and reads the Prometheus text format into numbers.
 */
public final class OpsClient {

    // HTTP/1.1 as Prometheus speaks it: the JDK's default offers an h2c upgrade, on which Grizzly
    // leaves out the Content-Type of a text answer (the page's own files too)
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final URI base;
    private final String token;

    /** @param base where the page is ({@code http://host:port/ctx/}); {@code token} for /metrics, or null */
    public OpsClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** The client of the server behind this chat endpoint ({@code ws://host:port/ctx/chat}). */
    public static OpsClient forChat(URI chatUri, String token) {
        return new OpsClient(pageOf(chatUri), token);
    }

    /** Where the page of the server behind this chat endpoint is: {@code ws://host:port/ctx/chat} to {@code http://host:port/ctx/}. */
    static URI pageOf(URI chatUri) {
        String http = chatUri.toString().replaceFirst("^ws", "http");
        return URI.create(http.substring(0, http.lastIndexOf('/') + 1));
    }

    /** A GET of {@code path} (no leading slash), with {@code authorization} as its header when not null. */
    public HttpResponse<String> get(String path, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every sample of {@code /metrics}: {@code name{labels}} to its value. */
    public Map<String, Double> scrape() {
        HttpResponse<String> response = get("metrics", token == null ? null : "Bearer " + token);
        assertEquals(200, response.statusCode(), () -> "/metrics answered " + response.statusCode() + ": " + response.body());
        return parse(response.body());
    }

    /** Scrapes until {@code done} holds, for up to 10 s; returns the last scrape either way. */
    public Map<String, Double> scrapeUntil(Predicate<Map<String, Double>> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Map<String, Double> samples = scrape();
        while (!done.test(samples) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            samples = scrape();
        }
        return samples;
    }

    /** The Prometheus text format, version 0.0.4: comments skipped, one sample per line. */
    public static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    /** A sample's value, 0 when absent. */
    public static double value(Map<String, Double> samples, String name) {
        return samples.getOrDefault(name, 0.0);
    }
}

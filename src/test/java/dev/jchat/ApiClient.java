package dev.jchat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Calls a running chat server's HTTP API as an application's backend does, over real HTTP
 * (java.net.http), with its key or another {@code Authorization}.
 */
public final class ApiClient {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final URI base;
    private final String authorization;

    /** @param base where the page is ({@code http://host:port/ctx/}); {@code authorization} the header, or null */
    public ApiClient(URI base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    /** The client of the server behind this chat endpoint ({@code ws://host:port/ctx/chat}), with {@code Bearer key}. */
    public static ApiClient forChat(URI chatUri, String key) {
        return new ApiClient(OpsClient.pageOf(chatUri), key == null ? null : "Bearer " + key);
    }

    /** The same server with another {@code Authorization} header (null: none). */
    public ApiClient authorized(String header) {
        return new ApiClient(base, header);
    }

    public HttpResponse<String> get(String path) {
        return send("GET", path, null);
    }

    public HttpResponse<String> post(String path, String json) {
        return send("POST", path, json);
    }

    /** A request of {@code path} (no leading slash: {@code api/rooms}), with a JSON body when not null. */
    public HttpResponse<String> send(String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
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

    /** An answer's body as a JSON object. */
    public static JsonObject json(HttpResponse<String> response) {
        try (JsonReader reader = Json.createReader(new StringReader(response.body()))) {
            return reader.readObject();
        }
    }
}

package dev.jchat.ops;

import dev.jchat.metrics.ChatMetrics;
import dev.jchat.ChatHub;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an operator's requests are answered: {@code GET /metrics}, {@code /health/live} and
 * {@code /health/ready}; and the page's {@link PageConfig#PATH}, which rides along. One place for the
 * answers, whatever serves them: the launcher's Grizzly handler and the web application's servlet
 * only carry them over HTTP. Stateless.
 */
public final class OpsAnswers {

    /** The paths answered here, below the web application's context path. */
    public static final String METRICS = "/metrics";
    public static final String LIVE = "/health/live";
    public static final String READY = "/health/ready";

    private static final String JSON = "application/json";

    /**
     * One answer.
     *
     * @param headers besides {@code Content-Type} and {@code Cache-Control}
     */
    public record Answer(int status, String contentType, String body, Map<String, String> headers) {

        public byte[] bytes() {
            return body.getBytes(StandardCharsets.UTF_8);
        }

        /** Every header to send but the length: the content type, no caching, and the answer's own. */
        public Map<String, String> allHeaders() {
            Map<String, String> all = new LinkedHashMap<>();
            all.put("Content-Type", contentType);
            all.put("Cache-Control", "no-store");
            all.putAll(headers);
            return all;
        }
    }

    private OpsAnswers() {
    }

    /**
     * The answer to a GET of {@code path} (below the context path), or null when the path is not
     * one of these.
     *
     * @param authorization the request's {@code Authorization} header, or null
     */
    public static Answer get(ChatHub hub, String path, String authorization) {
        return switch (path) {
            case METRICS -> metrics(hub, authorization);
            case LIVE -> health(200, Json.createObjectBuilder().add("status", "live"));
            case READY -> ready(hub);
            case PageConfig.PATH -> new Answer(200, JSON, PageConfig.json(hub.config()), Map.of());
            default -> null;
        };
    }

    /** The hub's meters; with {@code CHAT_METRICS_TOKEN} set, only for {@code Authorization: Bearer <it>}. */
    private static Answer metrics(ChatHub hub, String authorization) {
        String token = hub.config().security().metricsToken();
        if (token != null && !presents(authorization, token)) {
            return new Answer(401, JSON,
                    Json.createObjectBuilder().add("error", "/metrics needs Authorization: Bearer <CHAT_METRICS_TOKEN>")
                            .build().toString(),
                    Map.of("WWW-Authenticate", "Bearer realm=\"metrics\""));
        }
        return new Answer(200, ChatMetrics.contentType(), hub.metrics().scrape(), Map.of());
    }

    private static Answer ready(ChatHub hub) {
        String why = hub.notReady();
        JsonObjectBuilder body = Json.createObjectBuilder()
                .add("status", why == null ? "ready" : "not ready")
                .add("connections", hub.connections());
        if (why != null) {
            body.add("reason", why);
        }
        return health(why == null ? 200 : 503, body);
    }

    private static Answer health(int status, JsonObjectBuilder body) {
        return new Answer(status, JSON, body.build().toString(), Map.of());
    }

    /** Whether the header is {@code Bearer <token>}, compared in constant time (also the HTTP API's key check). */
    public static boolean presents(String authorization, String token) {
        String prefix = "Bearer ";
        if (authorization == null || !authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return false;
        }
        byte[] given = authorization.substring(prefix.length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8));
    }
}

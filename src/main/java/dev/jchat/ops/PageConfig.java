package dev.jchat.ops;

import dev.jchat.config.ChatConfig;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.net.URI;
import java.util.Locale;

/**
 * What the page is told about signing in, from the settings: {@code GET /chat-config.json} beside the
 * page, and the page's own {@code index.html} with its Content-Security-Policy letting it fetch from
 * {@code CHAT_TOKEN_URL} when that is on another origin. One place for both runtimes: the launcher's
 * handlers and the web application's servlets only carry these over HTTP. Nothing secret is in
 * either. Stateless.
 */
public final class PageConfig {

    /** The answer's path, below the context path, beside {@code index.html}. */
    public static final String PATH = "/chat-config.json";
    /** The page's file, and the paths that show it. */
    public static final String INDEX = "/index.html";

    /** What index.html allows it to connect to: its own origin (and with it ws: and wss: to it). */
    private static final String CONNECT = "connect-src 'self'";

    private PageConfig() {
    }

    /**
     * {@code {"auth":"token"|"container"|"names","tokenUrl":...,"loginUrl":...,"maxMessageChars":2000}}: how a
     * connection proves who it is, where the page gets a token and where it sends someone without one (null
     * when not set), and how long a message may be (code points), so that the page counts down before sending.
     */
    public static String json(ChatConfig config) {
        ChatConfig.Security security = config.security();
        JsonObjectBuilder body = Json.createObjectBuilder().add("auth", auth(security));
        add(body, "tokenUrl", security.tokenUrl());
        add(body, "loginUrl", security.loginUrl());
        body.add("maxMessageChars", config.maxMessageChars());
        return body.build().toString();
    }

    /** {@code container} wins, as at the handshake; then tokens when they are required; else claimed names. */
    private static String auth(ChatConfig.Security security) {
        if (security.auth() == ChatConfig.Auth.CONTAINER) {
            return "container";
        }
        return security.tokensRequired() ? "token" : "names";
    }

    private static void add(JsonObjectBuilder body, String name, String value) {
        if (value == null) {
            body.addNull(name);
        } else {
            body.add(name, value);
        }
    }

    /**
     * The page's {@code index.html} as served: with a token URL on another origin, its policy's
     * {@code connect-src} names that origin too, so the page may fetch a token there (and nowhere
     * else); otherwise the file as it is.
     */
    public static String index(String html, ChatConfig.Security security) {
        String origin = origin(security.tokenUrl());
        return origin == null ? html : html.replace(CONNECT + ";", CONNECT + " " + origin + ";");
    }

    /** The origin of an absolute URL ({@code https://app.example.com:8443}), or null for a path or none. */
    private static String origin(String url) {
        if (url == null || url.startsWith("/")) {
            return null;
        }
        URI uri = URI.create(url); // checked when read: http or https with a host
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost().toLowerCase(Locale.ROOT)
                + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }
}

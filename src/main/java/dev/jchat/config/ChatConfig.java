package dev.jchat.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Every setting of the chat server, read once and validated. Immutable, so safe to share.
 *
 * <p>Each setting is an environment variable ({@code CHAT_PORT}) that a system property of the
 * same name in dotted lower case ({@code -Dchat.port}) overrides. Tests build it directly.
 *
 * @param host                address the embedded launcher listens on ({@code 0.0.0.0}: all of them)
 * @param port                TCP port of the embedded launcher (0 picks a free one)
 * @param historySize         messages each room keeps in memory
 * @param historyReplay       of those, how many a new connection gets after {@code welcome}
 * @param maxMessageChars     longest {@code msg}, in Unicode code points, after trimming
 * @param maxFrameBytes       largest incoming text frame; bigger ones close with 1009
 * @param idleTimeoutSeconds  a connection silent this long is closed
 * @param sendTimeoutSeconds  a connection whose oldest unsent frame waited this long is closed with 1013
 * @param outboxBytes         bytes of live frames waiting for one connection before it is closed with 1013
 * @param maxRooms            rooms held in memory; past it, the least recently active empty room is forgotten
 * @param security            origins, tokens, rates and the connection cap
 * @param engine              where rooms live: this JVM's memory, or Redis
 * @param logFormat           how the chat's log lines are written
 */
public record ChatConfig(
        String host,
        int port,
        int historySize,
        int historyReplay,
        int maxMessageChars,
        int maxFrameBytes,
        int idleTimeoutSeconds,
        int sendTimeoutSeconds,
        int outboxBytes,
        int maxRooms,
        Security security,
        Engine engine,
        LogFormat logFormat) {

    /** How log lines are written: plain text, or one JSON object per line. */
    public enum LogFormat {
        TEXT, JSON;

        static LogFormat parse(String value) {
            for (LogFormat format : values()) {
                if (format.name().equalsIgnoreCase(value.strip())) {
                    return format;
                }
            }
            throw new ConfigException("CHAT_LOG_FORMAT", "must be text or json, got \"" + value + "\"");
        }
    }

    /**
     * Where rooms live.
     *
     * @param redisUrl            {@code redis://[user:password@]host:port[/db]} or {@code rediss://} for TLS;
     *                            null keeps rooms in this JVM's memory
     * @param redisPrefix         first part of every Redis key and channel, so several chats can share a Redis
     * @param historyDays         days Redis keeps a room's history after its last message
     * @param presenceTtlSeconds  how long the names of a server that stopped answering stay online
     * @param historyMaxMb        megabytes of heap the histories of every room on this server may take together
     */
    public record Engine(String redisUrl, String redisPrefix, int historyDays, int presenceTtlSeconds, int historyMaxMb) {

        private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

        public Engine {
            if (redisUrl != null) {
                checkRedisUrl(redisUrl);
            }
            if (redisPrefix == null || !PREFIX.matcher(redisPrefix).matches()) {
                throw new ConfigException("CHAT_REDIS_PREFIX", "must be 1 to 64 of A-Z a-z 0-9 _ . : -, got \""
                        + redisPrefix + "\"");
            }
            check("CHAT_HISTORY_DAYS", historyDays, 1, 36_500);
            check("CHAT_PRESENCE_TTL_SECONDS", presenceTtlSeconds, 3, 3_600);
            check("CHAT_HISTORY_MAX_MB", historyMaxMb, 1, 1_048_576);
        }

        public static Engine inMemory() {
            return new Engine(null, "chat", 30, 30, 256);
        }

        public Engine withRedis(String url, String prefix) {
            return new Engine(url, prefix, historyDays, presenceTtlSeconds, historyMaxMb);
        }

        public Engine withPresenceTtlSeconds(int value) {
            return new Engine(redisUrl, redisPrefix, historyDays, value, historyMaxMb);
        }

        public Engine withHistoryMaxMb(int value) {
            return new Engine(redisUrl, redisPrefix, historyDays, presenceTtlSeconds, value);
        }

        /** True when rooms live in Redis. */
        public boolean redis() {
            return redisUrl != null;
        }

        /** The Redis address without its password, for logs. */
        public String redisAddress() {
            if (redisUrl == null) {
                return "(not set: rooms in memory)";
            }
            URI uri = URI.create(redisUrl);
            return uri.getScheme() + "://" + (uri.getRawUserInfo() == null ? "" : "***@") + uri.getHost()
                    + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + (uri.getRawPath() == null ? "" : uri.getRawPath());
        }

        @Override
        public String toString() {
            return "Engine[redis=" + redisAddress() + ", redisPrefix=" + redisPrefix + ", historyDays=" + historyDays
                    + ", presenceTtlSeconds=" + presenceTtlSeconds + ", historyMaxMb=" + historyMaxMb + "]";
        }

        private static void checkRedisUrl(String url) {
            String problem;
            try {
                URI uri = new URI(url);
                String path = uri.getRawPath() == null ? "" : uri.getRawPath();
                if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
                    problem = "the scheme must be redis or rediss";
                } else if (uri.getHost() == null) {
                    problem = "a host is required";
                } else if (!path.isEmpty() && !path.matches("/\\d{1,2}")) {
                    problem = "the path, when present, is a database number like /0";
                } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                    problem = "no query or fragment is understood";
                } else {
                    return;
                }
            } catch (java.net.URISyntaxException e) {
                problem = "it is not a URL";
            }
            // never the URL itself in the message: it may hold a password
            throw new ConfigException("CHAT_REDIS_URL", "must look like redis://[user:password@]host:port[/db]"
                    + " or rediss://...: " + problem);
        }
    }

    /**
     * The settings that guard the server.
     *
     * @param allowedOrigins  origins allowed besides the page's own; {@code *} allows any
     * @param jwtSecret       HS256 key tokens must be signed with, or null when tokens are off
     * @param ratePerSecond   chat frames a connection may send per second, on average; 0: no limit
     * @param rateBurst       how many it may send at once
     * @param maxConnections  open connections this server accepts
     * @param nameHoldDays    without tokens: days a claimed name stays its holder's after its last connection
     * @param metricsToken    bearer token {@code /metrics} requires, or null when it is open
     */
    public record Security(List<String> allowedOrigins, String jwtSecret, int ratePerSecond, int rateBurst,
                           int maxConnections, int nameHoldDays, String metricsToken) {

        public static final int MIN_SECRET_BYTES = 32;
        public static final int MIN_METRICS_TOKEN_CHARS = 16;

        public Security {
            allowedOrigins = List.copyOf(allowedOrigins);
            for (String origin : allowedOrigins) {
                checkOrigin(origin);
            }
            if (jwtSecret != null && jwtSecret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
                throw new ConfigException("CHAT_JWT_SECRET", "must be at least " + MIN_SECRET_BYTES
                        + " bytes for HS256, got " + jwtSecret.getBytes(StandardCharsets.UTF_8).length);
            }
            check("CHAT_RATE_PER_SECOND", ratePerSecond, 0, 1_000_000);
            check("CHAT_RATE_BURST", rateBurst, ratePerSecond == 0 ? 0 : 1, 1_000_000);
            check("CHAT_MAX_CONNECTIONS", maxConnections, 1, 10_000_000);
            check("CHAT_NAME_HOLD_DAYS", nameHoldDays, 1, 36_500);
            if (metricsToken != null && (metricsToken.length() < MIN_METRICS_TOKEN_CHARS
                    || !metricsToken.chars().allMatch(c -> c > ' ' && c < 127))) {
                // never the token itself in the message
                throw new ConfigException("CHAT_METRICS_TOKEN", "must be at least " + MIN_METRICS_TOKEN_CHARS
                        + " printable ASCII characters without spaces, got " + metricsToken.length() + " characters");
            }
        }

        public static Security defaults() {
            return new Security(List.of(), null, 10, 30, 10_000, 30, null);
        }

        public Security withAllowedOrigins(List<String> value) {
            return new Security(value, jwtSecret, ratePerSecond, rateBurst, maxConnections, nameHoldDays, metricsToken);
        }

        public Security withJwtSecret(String value) {
            return new Security(allowedOrigins, value, ratePerSecond, rateBurst, maxConnections, nameHoldDays, metricsToken);
        }

        public Security withRate(int perSecond, int burst) {
            return new Security(allowedOrigins, jwtSecret, perSecond, burst, maxConnections, nameHoldDays, metricsToken);
        }

        public Security withMetricsToken(String value) {
            return new Security(allowedOrigins, jwtSecret, ratePerSecond, rateBurst, maxConnections, nameHoldDays, value);
        }

        public Security withMaxConnections(int value) {
            return new Security(allowedOrigins, jwtSecret, ratePerSecond, rateBurst, value, nameHoldDays, metricsToken);
        }

        @Override
        public String toString() {
            return "Security[allowedOrigins=" + allowedOrigins + ", jwtSecret=" + (jwtSecret == null ? "unset" : "set")
                    + ", ratePerSecond=" + ratePerSecond + ", rateBurst=" + rateBurst
                    + ", maxConnections=" + maxConnections + ", nameHoldDays=" + nameHoldDays
                    + ", metricsToken=" + (metricsToken == null ? "unset" : "set") + "]";
        }

        private static void checkOrigin(String origin) {
            if (origin.equals("*")) {
                return;
            }
            try {
                URI uri = new URI(origin);
                boolean web = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
                if (web && uri.getHost() != null && uri.getRawPath().isEmpty() && uri.getRawQuery() == null
                        && uri.getRawUserInfo() == null && origin.equals(origin.toLowerCase(Locale.ROOT))) {
                    return;
                }
            } catch (java.net.URISyntaxException e) {
                // refused below, with the same message as any other non-origin
            }
            throw new ConfigException("CHAT_ALLOWED_ORIGINS", "must list origins like https://chat.example.com:8443"
                    + " (lower case, no path) or *, got \"" + origin + "\"");
        }
    }

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 8080;

    /** A host name: RFC 1123 labels, the last of them not all digits (that would be an address). */
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?i)(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)*(?=[a-z0-9-]*[a-z-])"
                    + "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.?");
    /** An IPv4 address in full dotted-quad form (not the shorthand forms 127.1 or 2130706433). */
    private static final Pattern IPV4 = Pattern.compile(
            "(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    /**
     * What can be an IPv6 literal, optionally with a zone ({@code fe80::1%eth0}). Starting with a
     * hex digit or a colon and holding a colon, the JDK parses it as a literal and never asks DNS.
     */
    private static final Pattern IPV6_SHAPE = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%[\\w.-]+)?");

    public ChatConfig {
        host = checkHost(host);
        check("CHAT_PORT", port, 0, 65_535);
        check("CHAT_HISTORY_SIZE", historySize, 0, 1_000_000);
        check("CHAT_HISTORY_REPLAY", historyReplay, 0, historySize);
        check("CHAT_MAX_MESSAGE_CHARS", maxMessageChars, 1, 1_000_000);
        check("CHAT_MAX_FRAME_BYTES", maxFrameBytes, 1_024, 16 * 1024 * 1024);
        check("CHAT_IDLE_TIMEOUT_SECONDS", idleTimeoutSeconds, 1, 86_400);
        check("CHAT_SEND_TIMEOUT_SECONDS", sendTimeoutSeconds, 1, 3_600);
        check("CHAT_OUTBOX_BYTES", outboxBytes, 1_024, 1_073_741_824);
        check("CHAT_MAX_ROOMS", maxRooms, 1, 10_000_000);
        if (security == null || engine == null || logFormat == null) {
            throw new IllegalArgumentException("security, engine and log format settings are required");
        }
    }

    /** The documented defaults. */
    public static ChatConfig defaults() {
        return new ChatConfig(DEFAULT_HOST, DEFAULT_PORT, 1_000, 50, 2_000, 65_536, 60, 10, 1_048_576, 10_000,
                Security.defaults(), Engine.inMemory(), LogFormat.TEXT);
    }

    /** Reads the process environment and system properties. */
    public static ChatConfig fromEnvironment() {
        return from(System.getenv(), System::getProperty);
    }

    /**
     * Reads settings from the given environment, letting system properties override it.
     *
     * @throws ConfigException naming the first setting that is not a valid value, as the user spelled
     *                         it ({@code CHAT_PORT} or {@code -Dchat.port}), or a {@code CHAT_} variable
     *                         that is no setting
     */
    public static ChatConfig from(Map<String, String> env, Function<String, String> properties) {
        Source source = new Source(env, properties);
        ChatConfig d = defaults();
        try {
            ChatConfig config = read(source, d);
            source.checkUnknown();
            return config;
        } catch (ConfigException e) {
            throw e.setting() == null ? e : e.as(source.spelling(e.setting()));
        }
    }

    private static ChatConfig read(Source source, ChatConfig d) {
        int historySize = source.integer("CHAT_HISTORY_SIZE", d.historySize());
        // the replay's default is 50 at most CHAT_HISTORY_SIZE: a small history alone is a valid setting
        int replayDefault = Math.max(0, Math.min(d.historyReplay(), historySize));
        if (source.given("CHAT_HISTORY_REPLAY") && source.given("CHAT_HISTORY_SIZE")) {
            int replay = source.integer("CHAT_HISTORY_REPLAY", replayDefault);
            if (historySize >= 0 && replay > historySize) {
                throw new ConfigException(source.spelling("CHAT_HISTORY_REPLAY"), "must be at most "
                        + source.spelling("CHAT_HISTORY_SIZE") + " (" + historySize + "), got " + replay);
            }
        }
        return new ChatConfig(
                source.text("CHAT_HOST", d.host()),
                source.integer("CHAT_PORT", d.port()),
                historySize,
                source.integer("CHAT_HISTORY_REPLAY", replayDefault),
                source.integer("CHAT_MAX_MESSAGE_CHARS", d.maxMessageChars()),
                source.integer("CHAT_MAX_FRAME_BYTES", d.maxFrameBytes()),
                source.integer("CHAT_IDLE_TIMEOUT_SECONDS", d.idleTimeoutSeconds()),
                source.integer("CHAT_SEND_TIMEOUT_SECONDS", d.sendTimeoutSeconds()),
                source.integer("CHAT_OUTBOX_BYTES", d.outboxBytes()),
                source.integer("CHAT_MAX_ROOMS", d.maxRooms()),
                new Security(
                        source.list("CHAT_ALLOWED_ORIGINS"),
                        source.text("CHAT_JWT_SECRET"),
                        source.integer("CHAT_RATE_PER_SECOND", d.security().ratePerSecond()),
                        source.integer("CHAT_RATE_BURST", d.security().rateBurst()),
                        source.integer("CHAT_MAX_CONNECTIONS", d.security().maxConnections()),
                        source.integer("CHAT_NAME_HOLD_DAYS", d.security().nameHoldDays()),
                        source.text("CHAT_METRICS_TOKEN")),
                new Engine(
                        source.text("CHAT_REDIS_URL"),
                        source.text("CHAT_REDIS_PREFIX", d.engine().redisPrefix()),
                        source.integer("CHAT_HISTORY_DAYS", d.engine().historyDays()),
                        source.integer("CHAT_PRESENCE_TTL_SECONDS", d.engine().presenceTtlSeconds()),
                        source.integer("CHAT_HISTORY_MAX_MB", d.engine().historyMaxMb())),
                LogFormat.parse(source.text("CHAT_LOG_FORMAT", d.logFormat().name())));
    }

    public ChatConfig withHost(String value) {
        return new ChatConfig(value, port, historySize, historyReplay, maxMessageChars, maxFrameBytes,
                idleTimeoutSeconds, sendTimeoutSeconds, outboxBytes, maxRooms, security, engine, logFormat);
    }

    public ChatConfig withPort(int value) {
        return new ChatConfig(host, value, historySize, historyReplay, maxMessageChars, maxFrameBytes,
                idleTimeoutSeconds, sendTimeoutSeconds, outboxBytes, maxRooms, security, engine, logFormat);
    }

    public ChatConfig withHistory(int size, int replay) {
        return new ChatConfig(host, port, size, replay, maxMessageChars, maxFrameBytes,
                idleTimeoutSeconds, sendTimeoutSeconds, outboxBytes, maxRooms, security, engine, logFormat);
    }

    public ChatConfig withLimits(int messageChars, int frameBytes) {
        return new ChatConfig(host, port, historySize, historyReplay, messageChars, frameBytes,
                idleTimeoutSeconds, sendTimeoutSeconds, outboxBytes, maxRooms, security, engine, logFormat);
    }

    public ChatConfig withIdleTimeoutSeconds(int value) {
        return new ChatConfig(host, port, historySize, historyReplay, maxMessageChars, maxFrameBytes,
                value, sendTimeoutSeconds, outboxBytes, maxRooms, security, engine, logFormat);
    }

    /** The two rules that tell a connection too slow to keep. */
    public ChatConfig withOutbound(int sendTimeout, int bytes) {
        return new ChatConfig(host, port, historySize, historyReplay, maxMessageChars, maxFrameBytes,
                idleTimeoutSeconds, sendTimeout, bytes, maxRooms, security, engine, logFormat);
    }

    public ChatConfig withMaxRooms(int value) {
        return new ChatConfig(host, port, historySize, historyReplay, maxMessageChars, maxFrameBytes,
                idleTimeoutSeconds, sendTimeoutSeconds, outboxBytes, value, security, engine, logFormat);
    }

    public ChatConfig withEngine(Engine value) {
        return new ChatConfig(host, port, historySize, historyReplay, maxMessageChars, maxFrameBytes,
                idleTimeoutSeconds, sendTimeoutSeconds, outboxBytes, maxRooms, security, value, logFormat);
    }

    public ChatConfig withLogFormat(LogFormat value) {
        return new ChatConfig(host, port, historySize, historyReplay, maxMessageChars, maxFrameBytes,
                idleTimeoutSeconds, sendTimeoutSeconds, outboxBytes, maxRooms, security, engine, value);
    }

    public ChatConfig withSecurity(Security value) {
        return new ChatConfig(host, port, historySize, historyReplay, maxMessageChars, maxFrameBytes,
                idleTimeoutSeconds, sendTimeoutSeconds, outboxBytes, maxRooms, value, engine, logFormat);
    }

    /** One line per setting, for the startup log. */
    public String describe() {
        return String.join("\n",
                "CHAT_HOST=" + host,
                "CHAT_PORT=" + port,
                "CHAT_HISTORY_SIZE=" + historySize,
                "CHAT_HISTORY_REPLAY=" + historyReplay,
                "CHAT_HISTORY_MAX_MB=" + engine.historyMaxMb(),
                "CHAT_MAX_MESSAGE_CHARS=" + maxMessageChars,
                "CHAT_MAX_FRAME_BYTES=" + maxFrameBytes,
                "CHAT_IDLE_TIMEOUT_SECONDS=" + idleTimeoutSeconds,
                "CHAT_SEND_TIMEOUT_SECONDS=" + sendTimeoutSeconds,
                "CHAT_OUTBOX_BYTES=" + outboxBytes,
                "CHAT_MAX_ROOMS=" + maxRooms,
                "CHAT_ALLOWED_ORIGINS=" + (security.allowedOrigins().isEmpty()
                        ? "(the page's own origin only)" : String.join(",", security.allowedOrigins())),
                "CHAT_JWT_SECRET=" + (security.jwtSecret() == null ? "(not set: tokens off)" : "(set: tokens required)"),
                "CHAT_RATE_PER_SECOND=" + security.ratePerSecond() + (security.ratePerSecond() == 0 ? " (no limit)" : ""),
                "CHAT_RATE_BURST=" + security.rateBurst(),
                "CHAT_MAX_CONNECTIONS=" + security.maxConnections(),
                "CHAT_NAME_HOLD_DAYS=" + security.nameHoldDays(),
                "CHAT_METRICS_TOKEN=" + (security.metricsToken() == null ? "(not set: /metrics is open)" : "(set: /metrics needs it)"),
                "CHAT_REDIS_URL=" + engine.redisAddress(),
                "CHAT_REDIS_PREFIX=" + engine.redisPrefix(),
                "CHAT_HISTORY_DAYS=" + engine.historyDays(),
                "CHAT_PRESENCE_TTL_SECONDS=" + engine.presenceTtlSeconds(),
                "CHAT_LOG_FORMAT=" + logFormat.name().toLowerCase(Locale.ROOT));
    }

    /** The host as given, IPv6 brackets removed; refuses what cannot be an address to listen on. */
    private static String checkHost(String host) {
        String bare = host == null ? "" : host.startsWith("[") && host.endsWith("]")
                ? host.substring(1, host.length() - 1) : host;
        boolean valid = IPV4.matcher(bare).matches() || HOST_NAME.matcher(bare).matches() || isIpv6Literal(bare);
        if (!valid) {
            throw new ConfigException("CHAT_HOST", "must be an IP address or a host name to listen on"
                    + " (0.0.0.0 for every interface, 127.0.0.1 for this machine only), got \"" + host + "\"");
        }
        return bare;
    }

    private static boolean isIpv6Literal(String text) {
        if (!IPV6_SHAPE.matcher(text).matches()) {
            return false;
        }
        try {
            InetAddress.getByName(text); // a literal: parsed, never looked up
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ConfigException(name, "must be between " + min + " and " + max + ", got " + value);
        }
    }

    /**
     * Environment first, a system property over it. Remembers which settings it was asked for, so
     * that a {@code CHAT_} variable nobody asked for is reported as unknown, and how the user spelled
     * each one it found, so that an error names what the user set.
     */
    private static final class Source {

        private final Map<String, String> env;
        private final Function<String, String> properties;
        private final Set<String> asked = new HashSet<>();
        private final Map<String, String> spelled = new HashMap<>(); // CHAT_X -> chat.x, where a property gave it

        Source(Map<String, String> env, Function<String, String> properties) {
            this.env = env;
            this.properties = properties;
        }

        String raw(String name) {
            asked.add(name);
            String property = name.toLowerCase(Locale.ROOT).replace('_', '.');
            String value = properties.apply(property);
            if (value != null) {
                spelled.put(name, "-D" + property);
                return value;
            }
            return env.get(name);
        }

        /** Whether the user gave the setting a value. */
        boolean given(String name) {
            String raw = raw(name);
            return raw != null && !raw.isBlank();
        }

        /** The setting as the user wrote it: {@code CHAT_PORT}, or {@code -Dchat.port}. */
        String spelling(String name) {
            return spelled.getOrDefault(name, name);
        }

        /** Refuses a {@code CHAT_} variable that is no setting: a typo would otherwise be ignored in silence. */
        void checkUnknown() {
            for (String name : new TreeSet<>(env.keySet())) {
                if (name.startsWith("CHAT_") && !asked.contains(name)) {
                    throw new ConfigException(name, "is not a setting of the chat" + closest(name, asked)
                            + "; --help (or the README) lists every setting");
                }
            }
        }

        String text(String name) {
            String raw = raw(name);
            return raw == null || raw.isEmpty() ? null : raw;
        }

        String text(String name, String fallback) {
            String raw = text(name);
            return raw == null || raw.isBlank() ? fallback : raw.strip();
        }

        List<String> list(String name) {
            String raw = raw(name);
            if (raw == null || raw.isBlank()) {
                return List.of();
            }
            return Arrays.stream(raw.split(",")).map(String::strip).filter(item -> !item.isEmpty()).toList();
        }

        int integer(String name, int fallback) {
            String raw = raw(name);
            if (raw == null || raw.isBlank()) {
                return fallback;
            }
            try {
                return Integer.parseInt(raw.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(spelling(name), "must be a whole number, got \"" + raw + "\"");
            }
        }
    }

    /** ", did you mean X?" for the known name nearest to {@code name} in edit distance, or nothing when none is near. */
    static String closest(String name, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : new TreeSet<>(known)) {
            int d = editDistance(name, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, name.length() / 3) ? " (did you mean " + best + "?)" : "";
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}

package dev.jchat.config;

import static dev.jchat.config.Setting.ALLOWED_ORIGINS;
import static dev.jchat.config.Setting.AUTH;
import static dev.jchat.config.Setting.MODERATORS;
import static dev.jchat.config.Setting.MODERATOR_ROLE;
import static dev.jchat.config.Setting.HISTORY_DAYS;
import static dev.jchat.config.Setting.HISTORY_MAX_MB;
import static dev.jchat.config.Setting.HISTORY_REPLAY;
import static dev.jchat.config.Setting.HISTORY_SIZE;
import static dev.jchat.config.Setting.HOST;
import static dev.jchat.config.Setting.PUBLISH_HOOK_FAILURE;
import static dev.jchat.config.Setting.PUBLISH_HOOK_TIMEOUT_MS;
import static dev.jchat.config.Setting.PUBLISH_HOOK_URL;
import static dev.jchat.config.Setting.IDLE_TIMEOUT_SECONDS;
import static dev.jchat.config.Setting.JWT_AUDIENCE;
import static dev.jchat.config.Setting.JWT_ISSUER;
import static dev.jchat.config.Setting.JWT_JWKS_URL;
import static dev.jchat.config.Setting.JWT_LEEWAY_SECONDS;
import static dev.jchat.config.Setting.JWT_NAME_CLAIM;
import static dev.jchat.config.Setting.JWT_ROLES_CLAIM;
import static dev.jchat.config.Setting.JWT_ROOMS_CLAIM;
import static dev.jchat.config.Setting.JWT_SECRET;
import static dev.jchat.config.Setting.LOG_FORMAT;
import static dev.jchat.config.Setting.LOGIN_URL;
import static dev.jchat.config.Setting.MAX_CONNECTIONS;
import static dev.jchat.config.Setting.MAX_FRAME_BYTES;
import static dev.jchat.config.Setting.MAX_MESSAGE_CHARS;
import static dev.jchat.config.Setting.MAX_ROOMS;
import static dev.jchat.config.Setting.MAX_ROOMS_PER_CONNECTION;
import static dev.jchat.config.Setting.METRICS_TOKEN;
import static dev.jchat.config.Setting.API_KEY;
import static dev.jchat.config.Setting.OFFLINE_GRACE_SECONDS;
import static dev.jchat.config.Setting.WEBHOOK_RETRY_HOURS;
import static dev.jchat.config.Setting.WEBHOOK_SECRET;
import static dev.jchat.config.Setting.WEBHOOK_URL;
import static dev.jchat.config.Setting.NAME_HOLD_DAYS;
import static dev.jchat.config.Setting.OUTBOX_BYTES;
import static dev.jchat.config.Setting.PORT;
import static dev.jchat.config.Setting.PRESENCE_TTL_SECONDS;
import static dev.jchat.config.Setting.RATE_BURST;
import static dev.jchat.config.Setting.RATE_PER_SECOND;
import static dev.jchat.config.Setting.REDIS_PREFIX;
import static dev.jchat.config.Setting.REDIS_PROBE_SECONDS;
import static dev.jchat.config.Setting.REDIS_WAIT_REPLICAS;
import static dev.jchat.config.Setting.REDIS_URL;
import static dev.jchat.config.Setting.SEND_TIMEOUT_SECONDS;
import static dev.jchat.config.Setting.TOKEN_URL;

import dev.jchat.config.Setting.Part;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Every setting of the chat server, read once and checked against the table in {@link Setting}.
 * Immutable, so safe to share.
 *
 * <p>Each setting is an environment variable ({@code CHAT_PORT}) that a system property of the
 * same name in dotted lower case ({@code -Dchat.port}) overrides. Tests build it directly, from
 * {@link #defaults()} and the {@code with} methods, which check as reading does. What each
 * setting means, its default and its range are in {@link Setting}; the accessors here are named
 * after it ({@code MAX_ROOMS}: {@link #maxRooms()}).
 */
public final class ChatConfig extends Values {

    /** How log lines are written: plain text, or one JSON object per line. */
    public enum LogFormat { TEXT, JSON }

    /** Who a connection is ({@code CHAT_AUTH}): tokens or claimed names, or the application server's user. */
    public enum Auth { AUTO, CONTAINER }

    /** What a message becomes when the publish hook fails ({@code CHAT_PUBLISH_HOOK_FAILURE}). */
    public enum HookFailure { ALLOW, REJECT }

    private final Security security;
    private final Engine engine;

    private ChatConfig(Map<Setting, Object> values, Function<Setting, String> spelling) {
        super(values, EnumSet.allOf(Part.class), spelling);
        security = new Security(all());
        engine = new Engine(all());
    }

    private ChatConfig(Map<Setting, Object> values) {
        this(values, Setting::variable);
    }

    /** The documented defaults. */
    public static ChatConfig defaults() {
        return new ChatConfig(Setting.defaults());
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
        ChatConfig config = new ChatConfig(source.read(), source::spelling);
        source.checkUnknown();
        return config;
    }

    /** Address the embedded launcher listens on ({@code 0.0.0.0}: all of them), without IPv6 brackets. */
    public String host() {
        return get(HOST);
    }

    /** TCP port of the embedded launcher (0 picks a free one). */
    public int port() {
        return integer(PORT);
    }

    public int historySize() {
        return integer(HISTORY_SIZE);
    }

    public int historyReplay() {
        return integer(HISTORY_REPLAY);
    }

    public int maxMessageChars() {
        return integer(MAX_MESSAGE_CHARS);
    }

    public int maxFrameBytes() {
        return integer(MAX_FRAME_BYTES);
    }

    public int idleTimeoutSeconds() {
        return integer(IDLE_TIMEOUT_SECONDS);
    }

    public int sendTimeoutSeconds() {
        return integer(SEND_TIMEOUT_SECONDS);
    }

    public int outboxBytes() {
        return integer(OUTBOX_BYTES);
    }

    public int maxRooms() {
        return integer(MAX_ROOMS);
    }

    public int maxRoomsPerConnection() {
        return integer(MAX_ROOMS_PER_CONNECTION);
    }

    /** Origins, tokens, rates and the connection cap. */
    public Security security() {
        return security;
    }

    /** Where rooms live: this JVM's memory, or Redis. */
    public Engine engine() {
        return engine;
    }

    /** Where every chat message and edit is POSTed before it is published, or null: no hook. */
    public String publishHookUrl() {
        return get(PUBLISH_HOOK_URL);
    }

    public int publishHookTimeoutMs() {
        return integer(PUBLISH_HOOK_TIMEOUT_MS);
    }

    public HookFailure publishHookFailure() {
        return get(PUBLISH_HOOK_FAILURE);
    }

    /** The publish hook: its URL (null: off) and its timeout. */
    public ChatConfig withPublishHook(String url, int timeoutMs) {
        return new ChatConfig(with(PUBLISH_HOOK_URL, url, PUBLISH_HOOK_TIMEOUT_MS, timeoutMs));
    }

    public ChatConfig withPublishHookFailure(HookFailure value) {
        return new ChatConfig(with(PUBLISH_HOOK_FAILURE, value));
    }

    /** The shortest {@code CHAT_WEBHOOK_SECRET}. */
    public static final int MIN_WEBHOOK_SECRET_CHARS = 16;

    /** Where webhooks go, or null: webhooks are off. */
    public String webhookUrl() {
        return get(WEBHOOK_URL);
    }

    /** What webhooks are signed with, or null: unsigned. */
    public String webhookSecret() {
        return get(WEBHOOK_SECRET);
    }

    public int webhookRetryHours() {
        return integer(WEBHOOK_RETRY_HOURS);
    }

    public int offlineGraceSeconds() {
        return integer(OFFLINE_GRACE_SECONDS);
    }

    /** Webhooks to {@code url} (null: off), signed with {@code secret} (null: unsigned). */
    public ChatConfig withWebhook(String url, String secret) {
        return new ChatConfig(with(WEBHOOK_URL, url, WEBHOOK_SECRET, secret));
    }

    public ChatConfig withOfflineGraceSeconds(int value) {
        return new ChatConfig(with(OFFLINE_GRACE_SECONDS, value));
    }

    public LogFormat logFormat() {
        return get(LOG_FORMAT);
    }

    public ChatConfig withHost(String value) {
        return new ChatConfig(with(HOST, value));
    }

    public ChatConfig withPort(int value) {
        return new ChatConfig(with(PORT, value));
    }

    public ChatConfig withHistory(int size, int replay) {
        return new ChatConfig(with(HISTORY_SIZE, size, HISTORY_REPLAY, replay));
    }

    public ChatConfig withLimits(int messageChars, int frameBytes) {
        return new ChatConfig(with(MAX_MESSAGE_CHARS, messageChars, MAX_FRAME_BYTES, frameBytes));
    }

    public ChatConfig withIdleTimeoutSeconds(int value) {
        return new ChatConfig(with(IDLE_TIMEOUT_SECONDS, value));
    }

    /** The two rules that tell a connection too slow to keep. */
    public ChatConfig withOutbound(int sendTimeout, int bytes) {
        return new ChatConfig(with(SEND_TIMEOUT_SECONDS, sendTimeout, OUTBOX_BYTES, bytes));
    }

    public ChatConfig withMaxRooms(int value) {
        return new ChatConfig(with(MAX_ROOMS, value));
    }

    public ChatConfig withMaxRoomsPerConnection(int value) {
        return new ChatConfig(with(MAX_ROOMS_PER_CONNECTION, value));
    }

    public ChatConfig withEngine(Engine value) {
        return new ChatConfig(with(value));
    }

    public ChatConfig withLogFormat(LogFormat value) {
        return new ChatConfig(with(LOG_FORMAT, value));
    }

    public ChatConfig withSecurity(Security value) {
        return new ChatConfig(with(value));
    }

    /** One line per setting, {@code CHAT_PORT=8080}, for the startup log; secrets only as set or not. */
    public String describe() {
        return report("\n");
    }

    /**
     * Where rooms live, and what the engine keeps. Immutable, so safe to share.
     */
    public static final class Engine extends Values {

        private Engine(Map<Setting, Object> all) {
            super(all, EnumSet.of(Part.ENGINE), Setting::variable);
        }

        public static Engine inMemory() {
            return defaults().engine();
        }

        /** {@code redis://[user:password@]host:port[/db]} or {@code rediss://}; null keeps rooms in this JVM's memory. */
        public String redisUrl() {
            return get(REDIS_URL);
        }

        /** Whether {@link #redisUrl} names a Redis Cluster ({@code redis-cluster://}). */
        public boolean redisCluster() {
            return redisUrl() != null && Checks.cluster(java.net.URI.create(redisUrl()));
        }

        public String redisPrefix() {
            return get(REDIS_PREFIX);
        }

        public int historyDays() {
            return integer(HISTORY_DAYS);
        }

        public int presenceTtlSeconds() {
            return integer(PRESENCE_TTL_SECONDS);
        }

        /** Replicas that must hold a chat message before it is published (Redis {@code WAIT}); 0 for none. */
        public int redisWaitReplicas() {
            return integer(REDIS_WAIT_REPLICAS);
        }

        /** How often the subscription's delivery is checked, and how long a probe may take to come back. */
        public int redisProbeSeconds() {
            return integer(REDIS_PROBE_SECONDS);
        }

        public int historyMaxMb() {
            return integer(HISTORY_MAX_MB);
        }

        /** True when rooms live in Redis. */
        public boolean redis() {
            return redisUrl() != null;
        }

        /** The Redis address without its password, for logs. */
        public String redisAddress() {
            return Checks.redisAddress(redisUrl());
        }

        public Engine withRedis(String url, String prefix) {
            return new Engine(with(REDIS_URL, url, REDIS_PREFIX, prefix));
        }

        public Engine withPresenceTtlSeconds(int value) {
            return new Engine(with(PRESENCE_TTL_SECONDS, value));
        }

        public Engine withRedisWaitReplicas(int value) {
            return new Engine(with(REDIS_WAIT_REPLICAS, value));
        }

        public Engine withRedisProbeSeconds(int value) {
            return new Engine(with(REDIS_PROBE_SECONDS, value));
        }

        public Engine withHistoryMaxMb(int value) {
            return new Engine(with(HISTORY_MAX_MB, value));
        }
    }

    /**
     * The settings that guard the server. Immutable, so safe to share.
     */
    public static final class Security extends Values {

        public static final int MIN_SECRET_BYTES = 32;
        public static final int MIN_METRICS_TOKEN_CHARS = 16;
        public static final int MIN_API_KEY_CHARS = 32;

        private Security(Map<Setting, Object> all) {
            super(all, EnumSet.of(Part.SECURITY), Setting::variable);
        }

        public static Security defaults() {
            return ChatConfig.defaults().security();
        }

        /** Origins allowed besides the page's own; {@code *} allows any. */
        public List<String> allowedOrigins() {
            return get(ALLOWED_ORIGINS);
        }

        /** Names that moderate every room once proven by their key (without tokens). */
        public List<String> moderators() {
            return get(MODERATORS);
        }

        /** Whether the application server's authenticated user is the connection's name ({@code container}). */
        public Auth auth() {
            return get(AUTH);
        }

        /** The role that makes a token's name or a container's user a moderator. */
        public String moderatorRole() {
            return get(MODERATOR_ROLE);
        }

        /** HS256 key tokens must be signed with, or null when tokens are off. */
        public String jwtSecret() {
            return get(JWT_SECRET);
        }

        /** Where the identity provider publishes its keys (a JWKS), or null. */
        public String jwtJwksUrl() {
            return get(JWT_JWKS_URL);
        }

        /** The {@code iss} tokens must have, or null for any. */
        public String jwtIssuer() {
            return get(JWT_ISSUER);
        }

        /** The {@code aud} tokens must have, or null for any. */
        public String jwtAudience() {
            return get(JWT_AUDIENCE);
        }

        public int jwtLeewaySeconds() {
            return integer(JWT_LEEWAY_SECONDS);
        }

        /** The claim, or dotted path, that holds a token's name. */
        public String jwtNameClaim() {
            return get(JWT_NAME_CLAIM);
        }

        /** The claim, or dotted path, that holds a token's roles. */
        public String jwtRolesClaim() {
            return get(JWT_ROLES_CLAIM);
        }

        /** The claim, or dotted path, that limits a token's rooms. */
        public String jwtRoomsClaim() {
            return get(JWT_ROOMS_CLAIM);
        }

        public int ratePerSecond() {
            return integer(RATE_PER_SECOND);
        }

        public int rateBurst() {
            return integer(RATE_BURST);
        }

        public int maxConnections() {
            return integer(MAX_CONNECTIONS);
        }

        public int nameHoldDays() {
            return integer(NAME_HOLD_DAYS);
        }

        /**
         * Whether every connection needs a token (a secret or a JWKS is set): the one place that
         * decides it, for the hub's verifier and for what the page is told ({@code /chat-config.json}).
         */
        public boolean tokensRequired() {
            return jwtSecret() != null || jwtJwksUrl() != null;
        }

        /** Where the page gets a token ({@code /api/chat-token} or an http(s) URL), or null. */
        public String tokenUrl() {
            return get(TOKEN_URL);
        }

        /** Where the page sends someone its token URL answered 401, or null. */
        public String loginUrl() {
            return get(LOGIN_URL);
        }

        /** Bearer token {@code /metrics} requires, or null when it is open. */
        public String metricsToken() {
            return get(METRICS_TOKEN);
        }

        /** Bearer key the HTTP API requires, or null when the API is off. */
        public String apiKey() {
            return get(API_KEY);
        }

        public Security withAllowedOrigins(List<String> value) {
            return new Security(with(ALLOWED_ORIGINS, value));
        }

        public Security withModerators(List<String> value) {
            return new Security(with(MODERATORS, value));
        }

        public Security withAuth(Auth value) {
            return new Security(with(AUTH, value));
        }

        public Security withModeratorRole(String value) {
            return new Security(with(MODERATOR_ROLE, value));
        }

        public Security withJwtSecret(String value) {
            return new Security(with(JWT_SECRET, value));
        }

        public Security withJwtJwksUrl(String value) {
            return new Security(with(JWT_JWKS_URL, value));
        }

        /** The {@code iss} and {@code aud} tokens must have (null: any). */
        public Security withJwtIssuerAndAudience(String issuer, String audience) {
            return new Security(with(JWT_ISSUER, issuer, JWT_AUDIENCE, audience));
        }

        public Security withJwtLeewaySeconds(int value) {
            return new Security(with(JWT_LEEWAY_SECONDS, value));
        }

        /** The claims (or dotted paths) that hold a token's name and roles. */
        public Security withJwtNameAndRolesClaims(String name, String roles) {
            return new Security(with(JWT_NAME_CLAIM, name, JWT_ROLES_CLAIM, roles));
        }

        public Security withJwtRoomsClaim(String value) {
            return new Security(with(JWT_ROOMS_CLAIM, value));
        }

        public Security withRate(int perSecond, int burst) {
            return new Security(with(RATE_PER_SECOND, perSecond, RATE_BURST, burst));
        }

        public Security withMetricsToken(String value) {
            return new Security(with(METRICS_TOKEN, value));
        }

        public Security withApiKey(String value) {
            return new Security(with(API_KEY, value));
        }

        /** The page's sign-in: where it gets a token, and where it sends someone who has none (either may be null). */
        public Security withSignIn(String tokenUrl, String loginUrl) {
            return new Security(with(TOKEN_URL, tokenUrl, LOGIN_URL, loginUrl));
        }

        public Security withMaxConnections(int value) {
            return new Security(with(MAX_CONNECTIONS, value));
        }
    }
}

package dev.jchat.config;

import static dev.jchat.config.Rule.choice;
import static dev.jchat.config.Rule.names;
import static dev.jchat.config.Rule.optional;
import static dev.jchat.config.Rule.origins;
import static dev.jchat.config.Rule.secret;
import static dev.jchat.config.Rule.text;
import static dev.jchat.config.Rule.whole;
import static dev.jchat.config.Setting.Part.ENGINE;
import static dev.jchat.config.Setting.Part.LAUNCHER;
import static dev.jchat.config.Setting.Part.SECURITY;
import static dev.jchat.config.Setting.Part.SERVER;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The table of settings: each one's name, where its accessor lives, its default and allowed values
 * (its {@link Rule}) and its meaning, written once. Reading ({@link ChatConfig#from}), checking,
 * the startup report ({@link ChatConfig#describe()}), {@code --help}, the README's table and the
 * Dockerfiles' {@code ENV} lists all come from here; the tests compare the last two with it.
 *
 * <p>A new setting is one row here plus an accessor on {@link ChatConfig} (or its {@code Security}
 * or {@code Engine}) and its use. The order of the rows is the order of the report, the help and
 * the README. Meanings are Markdown: the README shows them as written, the help without backticks.
 * An enum, so immutable and safe to share.
 */
public enum Setting {

    HOST(LAUNCHER, text("0.0.0.0", "an IP address or a host name", Checks::hostProblem).normalised(Checks::unbracketed),
            "address the standalone launcher listens on: `0.0.0.0` (or `::`) for every interface, `127.0.0.1` for"
                    + " this machine only, or one host name or address"),
    PORT(LAUNCHER, whole(8080, 0, 65_535), "port of the standalone launcher (`0`: any free port)"),
    HISTORY_SIZE(SERVER, whole(1_000, 0, 1_000_000), "messages each room keeps in memory"),
    HISTORY_REPLAY(SERVER, whole(50, 0, 1_000_000).atMost(HISTORY_SIZE),
            "of those, how many a new connection gets after `welcome`"),
    HISTORY_MAX_MB(ENGINE, whole(256, 1, 1_048_576),
            "heap the histories of all rooms may take together; past it the least recently active rooms lose their"
                    + " oldest messages first (a resume from before them gets `recovered: false`). 256 MB is a quarter"
                    + " of a 1 GB heap: about 28 000 messages of 9 KB or 1.6 million short ones, leaving the rest for"
                    + " 10 000 connections (11 to 21 KB each idle) and their outboxes. Raise it with the heap"),
    MAX_MESSAGE_CHARS(SERVER, whole(2_000, 1, 1_000_000),
            "longest `msg`, in characters (code points), after trimming"),
    MAX_FRAME_BYTES(SERVER, whole(65_536, 1_024, 16 * 1024 * 1024),
            "largest incoming frame, whether sent whole or in fragments; a bigger one closes the connection with 1009"),
    IDLE_TIMEOUT_SECONDS(SERVER, whole(60, 1, 86_400),
            "a connection that sent nothing this long (frames it receives do not count) is closed with 1001"),
    SEND_TIMEOUT_SECONDS(SERVER, whole(10, 1, 3_600),
            "a connection whose oldest unsent frame has waited this long is closed with 1013 (too slow)"),
    OUTBOX_BYTES(SERVER, whole(1_048_576, 1_024, 1_073_741_824),
            "bytes of live frames waiting for one connection before it is closed with 1013; what it is sent on"
                    + " joining (welcome, history) does not count"),
    MAX_ROOMS(SERVER, whole(10_000, 1, 10_000_000),
            "rooms held in memory; past it the room empty the longest is forgotten, and when every room has someone"
                    + " in it a new room is refused (`room-limit`, 1013)"),
    MAX_ROOMS_PER_CONNECTION(SERVER, whole(100, 1, 10_000),
            "rooms one connection may be in at once (protocol version 3); past it, `subscribe` gets `too-many-rooms`"),
    ALLOWED_ORIGINS(SECURITY, origins(),
            "browser origins allowed besides the page's own, comma-separated and exact (`https://chat.example.com`);"
                    + " `*` allows any"),
    JWT_SECRET(SECURITY, secret(ChatConfig.Security.MIN_SECRET_BYTES + " bytes or more", Checks::jwtSecretProblem,
                    "(not set: tokens off)", "(set: tokens required)"),
            "when set, every connection needs a token signed with it (HS256); the name is the token's name claim"
                    + " (`CHAT_JWT_NAME_CLAIM`)"),
    JWT_JWKS_URL(SECURITY, optional("an `http://` or `https://` URL", Checks::jwksUrlProblem, Checks::shownOrUnset),
            "when set, every connection needs a token signed with one of the keys published there (a JWKS: RS256,"
                    + " ES256 or EdDSA), as an identity provider issues them: Keycloak's is"
                    + " `https://HOST/realms/REALM/protocol/openid-connect/certs`. Fetched at start, every hour, and"
                    + " at most once a minute for a key it does not know. With `CHAT_JWT_SECRET` too, HS256 tokens"
                    + " are checked with the secret and the others with these keys; with the JWKS alone, HS256 is"
                    + " refused"),
    JWT_ISSUER(SECURITY, optional("the issuer exactly as the tokens write it", Checks::jwtClaimValueProblem,
                    Checks::shownOrUnset),
            "when set, a token's `iss` must be exactly this (Keycloak: `https://HOST/realms/REALM`)"),
    JWT_AUDIENCE(SECURITY, optional("an audience exactly as the tokens write it", Checks::jwtClaimValueProblem,
                    Checks::shownOrUnset),
            "when set, a token's `aud` must be or hold this"),
    JWT_LEEWAY_SECONDS(SECURITY, whole(30, 0, 600),
            "clock skew allowed between the token's issuer and this server, for `exp` and `nbf`; a connection is"
                    + " closed when its token's `exp` is this far past"),
    JWT_NAME_CLAIM(SECURITY, text("sub", "a claim's name, or a dotted path to one", Checks::claimPathProblem),
            "the claim that holds a token's name, a string that follows the rules of names (Keycloak:"
                    + " `preferred_username`)"),
    JWT_ROLES_CLAIM(SECURITY, text("roles", "a claim's name, or a dotted path to one", Checks::claimPathProblem),
            "the claim that holds a token's roles, a list of strings or one space-separated string (Keycloak:"
                    + " `realm_access.roles`); `CHAT_MODERATOR_ROLE` among them makes a moderator"),
    JWT_ROOMS_CLAIM(SECURITY, text("rooms", "a claim's name, or a dotted path to one", Checks::claimPathProblem),
            "the claim that, when a token has it (a list of strings, or one space-separated string), holds the only"
                    + " rooms its connection may enter (an entry ending in `*` is a prefix), others get `forbidden`;"
                    + " direct conversations stay open. A token without it: every room; with it in another shape:"
                    + " refused"),
    MODERATORS(SECURITY, names(),
            "without tokens, the names that moderate every room (protocol version 3), comma-separated: a connection"
                    + " of one is a moderator once it proved its name with its key"),
    AUTH(SECURITY, choice(ChatConfig.Auth.AUTO),
            "who a connection is: `auto`, a token's name when `CHAT_JWT_SECRET` (or a JWKS) is set, else a name claimed"
                    + " with its key; `container` (in a WAR), the application server's authenticated user at the"
                    + " handshake (a login set up with the server's own security: `web.xml` constraints, a realm);"
                    + " a handshake with none is refused"),
    MODERATOR_ROLE(SECURITY, text("moderator", "a role's name: 1 to 128 printable characters, no spaces",
                    Checks::roleProblem),
            "the role that makes a token's name (its roles claim) or a container's user a moderator of every room"),
    TOKEN_URL(SECURITY, optional("a path on the page's site (`/api/chat-token`) or an `http://` or `https://` URL",
                    Checks::pageUrlProblem, Checks::pageUrlReport),
            "with tokens, where the page gets one: an endpoint of your application, called with the browser's cookies,"
                    + " answering `{\"token\":\"...\"}`, or 401 when nobody is signed in. Unset, the page offers no sign-in"),
    LOGIN_URL(SECURITY, optional("a path on the page's site (`/login`) or an `http://` or `https://` URL",
                    Checks::pageUrlProblem, Checks::pageUrlReport),
            "where the page links to when `CHAT_TOKEN_URL` answered 401 or 403: your application's sign-in page"),
    RATE_PER_SECOND(SECURITY, whole(10, 0, 1_000_000).zeroMeaning("no limit"),
            "chat frames one connection may send per second on average; `0` turns the limit off"),
    RATE_BURST(SECURITY, whole(30, 1, 1_000_000).orZeroWhenZero(RATE_PER_SECOND), "how many it may send at once"),
    MAX_CONNECTIONS(SECURITY, whole(10_000, 1, 10_000_000),
            "open connections per server; past it, new ones get `server-full` and close 1013"),
    NAME_HOLD_DAYS(SECURITY, whole(30, 1, 36_500),
            "without tokens, a name (and every name that looks the same) is its first connection's: later ones must"
                    + " present the key its welcome carried, until this many days after the name's last connection"
                    + " closed; whoever claims it after that starts its direct conversations afresh"),
    METRICS_TOKEN(SECURITY, secret(ChatConfig.Security.MIN_METRICS_TOKEN_CHARS
                    + " or more printable ASCII characters, no spaces", Checks::metricsTokenProblem,
                    "(not set: /metrics is open)", "(set: /metrics needs it)"),
            "when set, `/metrics` answers only requests with `Authorization: Bearer <token>`, others get 401; unset,"
                    + " `/metrics` is open. The health checks never need it"),
    API_KEY(SECURITY, secret(ChatConfig.Security.MIN_API_KEY_CHARS
                    + " or more printable ASCII characters, no spaces", Checks::apiKeyProblem,
                    "(not set: the HTTP API is off)", "(set: the HTTP API is on)"),
            "when set, the HTTP API for your application's backend (`/api/...`, docs/API.md) answers requests with"
                    + " `Authorization: Bearer <key>`, others get 401; unset, every `/api/` path answers 404"),
    PUBLISH_HOOK_URL(SERVER, optional("an `http://` or `https://` URL", Checks::jwksUrlProblem, Checks::hookUrlReport),
            "when set, every chat message and edit (of a connection or of the HTTP API) is POSTed there before it is"
                    + " published, and the answer allows, replaces or rejects it (docs/API.md, \"The publish hook\");"
                    + " unset, none is"),
    PUBLISH_HOOK_TIMEOUT_MS(SERVER, whole(500, 1, 60_000),
            "how long the publish hook has to answer one message; the message waits that long at most"),
    PUBLISH_HOOK_FAILURE(SERVER, choice(ChatConfig.HookFailure.ALLOW),
            "what a message becomes when the publish hook did not answer in time or answered something else than"
                    + " allow, replace or reject: `allow` publishes it as sent, `reject` refuses it (`rejected`)"),
    REDIS_URL(ENGINE, optional("`redis://[user:password@]host:port[/db]`, or `rediss://` for TLS; or"
                    + " `redis-sentinel://host:port[,host:port...][/db]#master` (`rediss-sentinel://`); or"
                    + " `redis-cluster://host:port[,host:port...]` (`rediss-cluster://`)",
                    Checks::redisUrlProblem, Checks::redisAddress),
            "rooms live in that Redis, shared by every server on it; with Sentinel, in the master the sentinels"
                    + " name, followed through a failover; with a cluster, each room on the node of its hash slot"
                    + " (docs/REDIS.md); unset keeps them in memory"),
    REDIS_PREFIX(ENGINE, text("chat", "1 to 64 of `A-Z a-z 0-9 _ . : -`", Checks::redisPrefixProblem),
            "first part of every Redis key and channel, so several chats can share one Redis"),
    HISTORY_DAYS(ENGINE, whole(30, 1, 36_500), "with Redis: how long a room's history is kept after its last message;"
            + " with either engine: how long a room stays in a name's \"my rooms\" after the name was last active in it"),
    PRESENCE_TTL_SECONDS(ENGINE, whole(30, 3, 3_600),
            "with Redis: how soon the names of a server that died leave their rooms"),
    REDIS_WAIT_REPLICAS(ENGINE, whole(0, 0, 16),
            "with Redis: a chat message is published, and echoed to its sender, only once this many replicas of"
                    + " the master (in a cluster, the room's master) hold it (Redis `WAIT`), else its sender gets"
                    + " `unavailable`; `0` publishes at once,"
                    + " and a failover can lose what the replica had not received yet (docs/REDIS.md)"),
    REDIS_PROBE_SECONDS(ENGINE, whole(2, 1, 60),
            "with Redis: how often each server checks that its subscription still delivers, by a message to itself;"
                    + " one not back within as long makes it reconnect the subscription, resubscribe and catch up"
                    + " (not ready meanwhile)"),
    WEBHOOK_URL(SERVER, optional("an `http://` or `https://` URL", Checks::jwksUrlProblem, Checks::urlOrigin),
            "when set, each event of the chat (a message, an edit, a deletion, a moderator's action, a name online or"
                    + " offline; docs/API.md, \"Webhooks\") is POSTed there as JSON; unset, no webhooks"),
    WEBHOOK_SECRET(SERVER, secret(ChatConfig.MIN_WEBHOOK_SECRET_CHARS + " or more printable ASCII characters, no spaces",
                    Checks::webhookSecretProblem, "(not set: webhooks are not signed)", "(set: webhooks are signed)"),
            "when set, every webhook carries `Chat-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"t.body\">`"),
    WEBHOOK_RETRY_HOURS(SERVER, whole(24, 1, 720),
            "a webhook the receiver did not take (2xx within 5 s) is retried, 1 s doubling to 5 min apart, this"
                    + " long after its event; then it is dropped with a log line and a metric"),
    OFFLINE_GRACE_SECONDS(SERVER, whole(30, 1, 86_400),
            "the `offline` webhook waits this long after a name's last connection closed, and is not sent if the"
                    + " name came back meanwhile (a reload, a move between servers)"),
    LOG_FORMAT(SERVER, choice(ChatConfig.LogFormat.TEXT),
            "`json` prints one JSON object per line (`time`, `level`, `logger`, `thread`, `message`, and fields such"
                    + " as `connection`, `room`, `close_code`, `repeated`): every line of the jar, and the chat's own"
                    + " lines in a WAR (the server's stay as they are)");

    /**
     * Which object answers for a setting: {@link ChatConfig} itself (the launcher's two and the
     * server's), its {@code security()} or its {@code engine()}.
     */
    public enum Part { LAUNCHER, SERVER, SECURITY, ENGINE }

    private final Part part;
    private final Rule<?> rule;
    private final String meaning;

    Setting(Part part, Rule<?> rule, String meaning) {
        this.part = part;
        this.rule = rule;
        this.meaning = meaning;
    }

    /** The environment variable: {@code CHAT_MAX_ROOMS}. */
    public String variable() {
        return "CHAT_" + name();
    }

    /** The system property that overrides the variable: {@code chat.max.rooms}. */
    public String property() {
        return variable().toLowerCase(Locale.ROOT).replace('_', '.');
    }

    public Part part() {
        return part;
    }

    /** What it does, in Markdown. */
    public String meaning() {
        return meaning;
    }

    /** The values it takes, in Markdown: {@code 1 to 10000}, {@code `text`, `json`}. */
    public String allowed() {
        return rule.allowed();
    }

    /** The default as a variable would spell it: {@code 8080}, {@code text}; empty when unset. */
    public String defaultText() {
        return cast().plain(defaults().get(this));
    }

    /** The default as the help and the README show it: {@code 8080}, or {@code (unset)} / {@code (empty)}. */
    public String shownDefault() {
        return defaultText().isEmpty() ? rule.nothing() : defaultText();
    }

    /** True for a secret: never shown, never written into an image. */
    public boolean isSecret() {
        return rule.secret();
    }

    /** Every default, the later ones following the earlier (a small history gives a small replay). */
    static Map<Setting, Object> defaults() {
        Map<Setting, Object> values = new EnumMap<>(Setting.class);
        for (Setting setting : values()) {
            values.put(setting, setting.rule.defaultValue(values));
        }
        return values;
    }

    /**
     * The value of the text the user gave ({@code raw}, null when none), or the default when it is
     * blank; {@code soFar} holds the settings above this one.
     *
     * @throws ConfigException naming the setting as {@code spelled} when the text is no such value
     */
    Object read(String raw, String spelled, Map<Setting, Object> soFar) {
        return raw == null ? rule.defaultValue(soFar) : rule.parse(raw, spelled, soFar);
    }

    /** The value in its one form: the host without IPv6 brackets. */
    Object normal(Object value) {
        return cast().normal(value);
    }

    /** What is wrong with {@code value} among {@code all}, or null; other settings named as {@code spelling} says. */
    String problem(Object value, Map<Setting, Object> all, Function<Setting, String> spelling) {
        return cast().problem(value, all, spelling);
    }

    /** The value for the startup report, secrets only as set or not. */
    String report(Object value) {
        return cast().report(value);
    }

    @SuppressWarnings("unchecked")
    private Rule<Object> cast() {
        return (Rule<Object>) rule; // a setting's values come from its own rule, or a typed with-method
    }
}

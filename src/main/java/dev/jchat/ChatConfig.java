package dev.jchat;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Every setting of the chat server, read once and validated. Immutable, so safe to share.
 *
 * <p>Each setting is an environment variable ({@code CHAT_PORT}) that a system property of the
 * same name in dotted lower case ({@code -Dchat.port}) overrides. Tests build it directly.
 *
 * @param port                TCP port of the embedded launcher (0 picks a free one)
 * @param historySize         messages each room keeps in memory
 * @param historyReplay       of those, how many a new connection gets after {@code welcome}
 * @param maxMessageChars     longest {@code msg}, in Unicode code points, after trimming
 * @param maxFrameBytes       largest incoming text frame; bigger ones close with 1009
 * @param idleTimeoutSeconds  a connection silent this long is closed
 * @param outboxLimit         frames queued for one connection before it is closed with 1013
 */
public record ChatConfig(
        int port,
        int historySize,
        int historyReplay,
        int maxMessageChars,
        int maxFrameBytes,
        int idleTimeoutSeconds,
        int outboxLimit) {

    public static final int DEFAULT_PORT = 8080;

    public ChatConfig {
        check("CHAT_PORT", port, 0, 65_535);
        check("CHAT_HISTORY_SIZE", historySize, 0, 1_000_000);
        check("CHAT_HISTORY_REPLAY", historyReplay, 0, historySize);
        check("CHAT_MAX_MESSAGE_CHARS", maxMessageChars, 1, 1_000_000);
        check("CHAT_MAX_FRAME_BYTES", maxFrameBytes, 1_024, 16 * 1024 * 1024);
        check("CHAT_IDLE_TIMEOUT_SECONDS", idleTimeoutSeconds, 1, 86_400);
        check("CHAT_OUTBOX_LIMIT", outboxLimit, 1, 1_000_000);
    }

    /** The documented defaults. */
    public static ChatConfig defaults() {
        return new ChatConfig(DEFAULT_PORT, 1_000, 50, 2_000, 65_536, 60, 1_000);
    }

    /** Reads the process environment and system properties. */
    public static ChatConfig fromEnvironment() {
        return from(System.getenv(), System::getProperty);
    }

    /**
     * Reads settings from the given environment, letting system properties override it.
     *
     * @throws ConfigException naming the first variable that is not a valid value
     */
    public static ChatConfig from(Map<String, String> env, Function<String, String> properties) {
        Source source = new Source(env, properties);
        ChatConfig d = defaults();
        return new ChatConfig(
                source.integer("CHAT_PORT", d.port()),
                source.integer("CHAT_HISTORY_SIZE", d.historySize()),
                source.integer("CHAT_HISTORY_REPLAY", d.historyReplay()),
                source.integer("CHAT_MAX_MESSAGE_CHARS", d.maxMessageChars()),
                source.integer("CHAT_MAX_FRAME_BYTES", d.maxFrameBytes()),
                source.integer("CHAT_IDLE_TIMEOUT_SECONDS", d.idleTimeoutSeconds()),
                source.integer("CHAT_OUTBOX_LIMIT", d.outboxLimit()));
    }

    public ChatConfig withPort(int value) {
        return new ChatConfig(value, historySize, historyReplay, maxMessageChars, maxFrameBytes,
                idleTimeoutSeconds, outboxLimit);
    }

    public ChatConfig withHistory(int size, int replay) {
        return new ChatConfig(port, size, replay, maxMessageChars, maxFrameBytes, idleTimeoutSeconds, outboxLimit);
    }

    public ChatConfig withLimits(int messageChars, int frameBytes) {
        return new ChatConfig(port, historySize, historyReplay, messageChars, frameBytes, idleTimeoutSeconds,
                outboxLimit);
    }

    public ChatConfig withIdleTimeoutSeconds(int value) {
        return new ChatConfig(port, historySize, historyReplay, maxMessageChars, maxFrameBytes, value, outboxLimit);
    }

    public ChatConfig withOutboxLimit(int value) {
        return new ChatConfig(port, historySize, historyReplay, maxMessageChars, maxFrameBytes, idleTimeoutSeconds,
                value);
    }

    /** One line per setting, for the startup log. */
    public String describe() {
        return String.join("\n",
                "CHAT_PORT=" + port,
                "CHAT_HISTORY_SIZE=" + historySize,
                "CHAT_HISTORY_REPLAY=" + historyReplay,
                "CHAT_MAX_MESSAGE_CHARS=" + maxMessageChars,
                "CHAT_MAX_FRAME_BYTES=" + maxFrameBytes,
                "CHAT_IDLE_TIMEOUT_SECONDS=" + idleTimeoutSeconds,
                "CHAT_OUTBOX_LIMIT=" + outboxLimit);
    }

    private static void check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ConfigException(name + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    /** Environment first, a system property over it. */
    private record Source(Map<String, String> env, Function<String, String> properties) {

        String raw(String name) {
            String property = properties.apply(name.toLowerCase(Locale.ROOT).replace('_', '.'));
            return property != null ? property : env.get(name);
        }

        int integer(String name, int fallback) {
            String raw = raw(name);
            if (raw == null || raw.isBlank()) {
                return fallback;
            }
            try {
                return Integer.parseInt(raw.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(name + " must be a whole number, got \"" + raw + "\"");
            }
        }
    }
}

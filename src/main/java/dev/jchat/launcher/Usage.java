package dev.jchat.launcher;

import dev.jchat.config.ChatConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@code --help} prints: how to run the launcher and every setting, with its default and
 * meaning. The one place in code that says what each setting means. Immutable, so safe to share.
 */
final class Usage {

    /** One setting: its variable, its default as the help shows it, and what it does. */
    record Setting(String name, String defaultValue, String meaning) {

        Setting(String name, int defaultValue, String meaning) {
            this(name, String.valueOf(defaultValue), meaning);
        }
    }

    /** Exit code for an argument the launcher does not know, as for an invalid setting. */
    static final int BAD_ARGUMENT = 2;

    private static final Set<String> HELP = Set.of("--help", "-h");
    private static final int WIDTH = 80;
    private static final String INDENT = "      ";

    private Usage() {
    }

    /** Every setting, in the order the startup log reports them. */
    static List<Setting> settings() {
        // defaults come from the config itself, so the help cannot drift from what the server does
        ChatConfig d = ChatConfig.defaults();
        ChatConfig.Security s = d.security();
        ChatConfig.Engine e = d.engine();
        return List.of(
                new Setting("CHAT_HOST", d.host(),
                        "address to listen on: 0.0.0.0 (or ::) for every interface, 127.0.0.1 for this machine"
                                + " only, or one host name or address"),
                new Setting("CHAT_PORT", d.port(), "port to listen on (0: any free port)"),
                new Setting("CHAT_HISTORY_SIZE", d.historySize(), "messages each room keeps in memory"),
                new Setting("CHAT_HISTORY_REPLAY", d.historyReplay(),
                        "of those, how many a new connection gets after welcome (at most CHAT_HISTORY_SIZE)"),
                new Setting("CHAT_HISTORY_MAX_MB", e.historyMaxMb(),
                        "heap the histories of all rooms may take together; past it the least recently active"
                                + " rooms lose their oldest messages first"),
                new Setting("CHAT_MAX_MESSAGE_CHARS", d.maxMessageChars(),
                        "longest msg, in characters (code points), after trimming"),
                new Setting("CHAT_MAX_FRAME_BYTES", d.maxFrameBytes(),
                        "largest incoming frame, whether sent whole or in fragments; a bigger one closes the"
                                + " connection with 1009"),
                new Setting("CHAT_IDLE_TIMEOUT_SECONDS", d.idleTimeoutSeconds(),
                        "a connection without traffic this long is closed"),
                new Setting("CHAT_SEND_TIMEOUT_SECONDS", d.sendTimeoutSeconds(),
                        "a connection whose oldest unsent frame has waited this long is closed with 1013"
                                + " (too slow)"),
                new Setting("CHAT_OUTBOX_BYTES", d.outboxBytes(),
                        "bytes of live frames waiting for one connection before it is closed with 1013; what it"
                                + " is sent on joining (welcome, history) does not count"),
                new Setting("CHAT_MAX_ROOMS", d.maxRooms(),
                        "rooms held in memory; past it the room empty the longest is forgotten, and when every"
                                + " room has someone in it a new room is refused (room-limit, 1013)"),
                new Setting("CHAT_ALLOWED_ORIGINS", "(empty)",
                        "browser origins allowed besides the page's own, comma-separated and exact"
                                + " (https://chat.example.com); * allows any"),
                new Setting("CHAT_JWT_SECRET", "(unset)",
                        "when set, every connection needs a token signed with it (HS256, at least "
                                + ChatConfig.Security.MIN_SECRET_BYTES + " bytes); the name is the token's sub"),
                new Setting("CHAT_RATE_PER_SECOND", s.ratePerSecond(),
                        "chat frames one connection may send per second on average; 0 turns the limit off"),
                new Setting("CHAT_RATE_BURST", s.rateBurst(), "how many it may send at once"),
                new Setting("CHAT_MAX_CONNECTIONS", s.maxConnections(),
                        "open connections per server; past it, new ones get server-full and close 1013"),
                new Setting("CHAT_NAME_HOLD_DAYS", s.nameHoldDays(),
                        "without tokens, a name is its first connection's: later ones must present the key its"
                                + " welcome carried, until this many days after the name's last connection closed"),
                new Setting("CHAT_METRICS_TOKEN", "(unset)",
                        "when set, /metrics needs it as a bearer token (at least "
                                + ChatConfig.Security.MIN_METRICS_TOKEN_CHARS
                                + " printable characters, no spaces); unset, /metrics is open"),
                new Setting("CHAT_REDIS_URL", "(unset)",
                        "redis://[user:password@]host:port[/db], or rediss:// for TLS: rooms live in that Redis,"
                                + " shared by every server on it; unset keeps them in memory"),
                new Setting("CHAT_REDIS_PREFIX", e.redisPrefix(),
                        "first part of every Redis key and channel, so several chats can share one Redis"),
                new Setting("CHAT_HISTORY_DAYS", e.historyDays(),
                        "with Redis: how long a room's history is kept after its last message"),
                new Setting("CHAT_PRESENCE_TTL_SECONDS", e.presenceTtlSeconds(),
                        "with Redis: how soon the names of a server that died leave their rooms"),
                new Setting("CHAT_LOG_FORMAT", d.logFormat().name().toLowerCase(Locale.ROOT),
                        "json prints one JSON object per line (time, level, logger, thread, message, and fields"
                                + " such as connection, room, close_code, repeated); text is plain lines"));
    }

    /**
     * Answers the launcher's arguments, which are never a reason to start a server.
     *
     * @return the exit code: 0 after the help, {@link #BAD_ARGUMENT} for an argument it does not know
     */
    static int answer(String[] args, PrintStream out, PrintStream err) {
        for (String arg : args) {
            if (!HELP.contains(arg)) {
                err.println("chat: unknown argument \"" + arg + "\"; the settings are environment variables");
                err.print(text());
                err.flush();
                return BAD_ARGUMENT;
            }
        }
        out.print(text());
        out.flush();
        return 0;
    }

    /** The whole help, ending with a line break. */
    static String text() {
        StringBuilder text = new StringBuilder();
        text.append("Usage: java -jar chat-standalone.jar [--help]\n\n");
        wrap(text, "", "Runs the chat server: the page at http://HOST:PORT/ and the WebSocket endpoint at"
                + " ws://HOST:PORT/chat. It runs until SIGTERM or Ctrl-C. Then it closes every connection"
                + " with 1001 and exits 0.");
        text.append('\n');
        text.append("  -h, --help  print this help and exit\n\n");
        wrap(text, "", "Each setting is an environment variable. A system property of the same name in dotted"
                + " lower case overrides it: CHAT_PORT=9000, or -Dchat.port=9000. An invalid value stops the"
                + " launcher with one line naming the setting, and exit code " + BAD_ARGUMENT + "; so does a CHAT_"
                + " variable that is no setting (a typo would otherwise leave a setting unset in silence).");
        text.append('\n');
        text.append("Settings, with their defaults:\n");
        int column = settings().stream().mapToInt(setting -> setting.name().length()).max().orElse(0) + 2;
        for (Setting setting : settings()) {
            text.append("  ").append(setting.name()).append(" ".repeat(column - setting.name().length()))
                    .append(setting.defaultValue()).append('\n');
            wrap(text, INDENT, setting.meaning());
        }
        return text.toString();
    }

    /** Appends the words as lines no wider than {@link #WIDTH}, each starting with the indent. */
    private static void wrap(StringBuilder text, String indent, String words) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(indent);
        for (String word : words.split(" ")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > WIDTH) {
                lines.add(line.toString());
                line = new StringBuilder(indent);
            }
            if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        for (String each : lines) {
            text.append(each).append('\n');
        }
    }
}

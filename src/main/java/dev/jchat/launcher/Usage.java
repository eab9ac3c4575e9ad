package dev.jchat.launcher;

import dev.jchat.config.Setting;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What {@code --help} prints: how to run the launcher and every setting of the table in
 * {@link Setting}, with its default, meaning and allowed values. Stateless, so safe to share.
 */
final class Usage {

    /** Exit code for an argument the launcher does not know, as for an invalid setting. */
    static final int BAD_ARGUMENT = 2;

    private static final Set<String> HELP = Set.of("--help", "-h");
    private static final int WIDTH = 80;
    private static final String INDENT = "      ";

    private Usage() {
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
        int column = Stream.of(Setting.values()).mapToInt(setting -> setting.variable().length()).max().orElse(0) + 2;
        for (Setting setting : Setting.values()) {
            text.append("  ").append(setting.variable()).append(" ".repeat(column - setting.variable().length()))
                    .append(setting.shownDefault()).append('\n');
            wrap(text, INDENT, plain(setting.meaning()));
            wrap(text, INDENT, "allowed: " + plain(setting.allowed()));
        }
        return text.toString();
    }

    /** Markdown's code spans as plain text. */
    private static String plain(String markdown) {
        return markdown.replace("`", "");
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

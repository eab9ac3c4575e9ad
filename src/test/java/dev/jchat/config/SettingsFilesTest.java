package dev.jchat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The files that list the settings say what the table in {@link Setting} says: the README's
 * configuration table, each Dockerfile's {@code ENV} list and compose's shared settings. Run with
 * {@code -Dsettings.write=true} it rewrites them from the table instead (README.md, "Contributing").
 */
class SettingsFilesTest {

    private static final Path BASE = Path.of(System.getProperty("basedir", "."));
    private static final boolean WRITE = Boolean.getBoolean("settings.write");
    private static final String HOW = "; ./mvnw -o -q test -Dtest=SettingsFilesTest -Dsettings.write=true rewrites it";

    static final String TABLE_START = "<!-- The table is made from dev.jchat.config.Setting (README.md, \"Contributing\"). -->";
    static final String TABLE_END = "<!-- End of the table made from Setting. -->";
    private static final Pattern COMPOSE_ENTRY = Pattern.compile("^ {2}(CHAT_[A-Z_]+): (.*)$");
    private static final Pattern FROM_OUTSIDE = Pattern.compile("\\$\\{(CHAT_[A-Z_]+):-(.*)}");

    /** The README's table: a row per setting, in the table's order. */
    static String readmeTable() {
        StringBuilder table = new StringBuilder(TABLE_START + "\n\n| variable | default | allowed | meaning |\n| --- | --- | --- | --- |\n");
        for (Setting setting : Setting.values()) {
            String shown = setting.defaultText().isEmpty() ? setting.shownDefault() : "`" + setting.defaultText() + "`";
            table.append("| `").append(setting.variable()).append("` | ").append(shown).append(" | ")
                    .append(setting.allowed()).append(" | ").append(setting.meaning()).append(" |\n");
        }
        return table.append('\n').append(TABLE_END).toString();
    }

    /** An image's {@code ENV} list: every setting but the secrets (given at run time), the launcher's own only in its image. */
    static String envList(boolean launcher) {
        List<String> lines = settingsOf(launcher).filter(setting -> !setting.isSecret())
                .map(setting -> setting.variable() + "=" + setting.defaultText()).toList();
        return "ENV " + String.join(" \\\n    ", lines);
    }

    private static Stream<Setting> settingsOf(boolean launcher) {
        return Stream.of(Setting.values()).filter(setting -> launcher || setting.part() != Setting.Part.LAUNCHER);
    }

    /** README.md with its table made from {@link Setting}. */
    static String readme(String text) {
        int start = text.indexOf(TABLE_START);
        int end = text.indexOf(TABLE_END);
        assertTrue(start >= 0 && end > start, "README.md marks its settings table with " + TABLE_START + " and " + TABLE_END);
        return text.substring(0, start) + readmeTable() + text.substring(end + TABLE_END.length());
    }

    /** A Dockerfile with its {@code ENV CHAT_...} list, up to the first line that does not go on, made from {@link Setting}. */
    static String dockerfile(String text, boolean launcher) {
        int start = text.indexOf("\nENV CHAT_") + 1;
        assertTrue(start > 0, "an ENV list of the settings");
        int end = start;
        while (text.substring(end, text.indexOf('\n', end)).endsWith("\\")) {
            end = text.indexOf('\n', end) + 1;
        }
        end = text.indexOf('\n', end);
        return text.substring(0, start) + envList(launcher) + text.substring(end);
    }

    /**
     * compose.yaml with its shared settings ({@code x-settings}) made from {@link Setting}: one
     * {@code CHAT_X: "default"} line each, but for those it takes from outside
     * ({@code CHAT_X: ${CHAT_X:-default}}, written by hand after them with their comments).
     */
    static String compose(String text) {
        int start = text.indexOf("x-settings: &settings\n") + "x-settings: &settings\n".length();
        int end = text.indexOf("\n\n", start) + 1;
        assertTrue(start > 0 && end > start, "compose.yaml's x-settings");
        List<String> byHand = new ArrayList<>();
        Map<String, String> fromOutside = new LinkedHashMap<>();
        for (String line : text.substring(start, end).split("\n")) {
            Matcher entry = COMPOSE_ENTRY.matcher(line);
            if (entry.matches() && entry.group(2).startsWith("\"")) {
                continue; // made from the table
            }
            byHand.add(line);
            if (entry.matches()) {
                Matcher outside = FROM_OUTSIDE.matcher(entry.group(2));
                assertTrue(outside.matches() && outside.group(1).equals(entry.group(1)), line);
                fromOutside.put(entry.group(1), outside.group(2));
            }
        }
        StringBuilder block = new StringBuilder();
        settingsOf(false).forEach(setting -> {
            String given = fromOutside.get(setting.variable());
            if (given == null) {
                assertFalse(setting.isSecret(), "compose takes " + setting.variable() + " from outside, never writes it");
                block.append("  ").append(setting.variable()).append(": \"").append(setting.defaultText()).append("\"\n");
            } else {
                assertEquals(setting.defaultText(), given, "compose's default for " + setting.variable());
            }
        });
        byHand.forEach(line -> block.append(line).append('\n'));
        return text.substring(0, start) + block + text.substring(end);
    }

    private static void check(String name, UnaryOperator<String> made) throws IOException {
        Path file = BASE.resolve(name);
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String expected = made.apply(text);
        if (WRITE && !expected.equals(text)) {
            Files.writeString(file, expected, StandardCharsets.UTF_8);
            return;
        }
        List<String> want = expected.lines().toList();
        List<String> have = text.lines().toList();
        int line = 0;
        while (line < Math.min(want.size(), have.size()) && want.get(line).equals(have.get(line))) {
            line++;
        }
        String first = line < want.size() ? want.get(line) : "(the end)";
        assertEquals(expected, text, name + " differs from the table of settings (dev.jchat.config.Setting) at line "
                + (line + 1) + ", which should be: " + first + HOW);
    }

    @Test
    void theReadmeTableIsTheTable() throws IOException {
        check("README.md", SettingsFilesTest::readme);
    }

    @Test
    void eachDockerfileListsTheSettingsWithTheirDefaults() throws IOException {
        check("docker/standalone.Dockerfile", text -> dockerfile(text, true));
        check("docker/Dockerfile", text -> dockerfile(text, false));
        check("docker/payara.Dockerfile", text -> dockerfile(text, false));
    }

    @Test
    void eachDockerfileSaysWhereTheSecretsComeFrom() throws IOException {
        for (String name : List.of("docker/standalone.Dockerfile", "docker/Dockerfile", "docker/payara.Dockerfile")) {
            String text = Files.readString(BASE.resolve(name), StandardCharsets.UTF_8);
            Stream.of(Setting.values()).filter(Setting::isSecret).forEach(secret ->
                    assertTrue(text.contains(secret.variable()),
                            name + " says how " + secret.variable() + " is given, since its ENV list leaves it out"));
        }
    }

    @Test
    void composeGivesEveryServerTheSettingsWithTheirDefaults() throws IOException {
        check("docker/compose.yaml", SettingsFilesTest::compose);
    }

    @Test
    void theTableCanBeWrittenInMarkdown() {
        // a | would end a cell early; every row says what it allows and means
        for (Setting setting : Setting.values()) {
            assertFalse((setting.allowed() + setting.meaning() + setting.defaultText()).contains("|"), setting.variable());
            assertFalse(setting.allowed().isBlank() || setting.meaning().isBlank(), setting.variable());
        }
    }
}

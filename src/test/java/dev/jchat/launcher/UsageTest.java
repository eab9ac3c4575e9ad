package dev.jchat.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jchat.config.ChatConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --help} and unknown arguments, asked of the real launcher in a JVM of its own. */
class UsageTest {

    private static final String JAVA = ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());

    @TempDir
    Path workDir;

    /** What one run of the launcher left behind. */
    private record Run(int exitCode, String out, String err) {
    }

    private Run launch(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(JAVA, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        // files, not pipes: a child that writes more than a pipe holds never blocks on us
        Path out = workDir.resolve("out.txt");
        Path err = workDir.resolve("err.txt");
        Process process = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                fail("the launcher was still running after 30 s with " + List.of(args)
                        + ": it started a server instead of answering; stdout so far:\n"
                        + Files.readString(out, StandardCharsets.UTF_8));
            }
        } finally {
            process.destroyForcibly();
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Each setting the startup log reports, with the value it reports for the defaults. */
    private static Map<String, String> describedDefaults() {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : ChatConfig.defaults().describe().split("\n")) {
            int equals = line.indexOf('=');
            assertTrue(line.startsWith("CHAT_") && equals > 0, "a describe() line: " + line);
            settings.put(line.substring(0, equals), line.substring(equals + 1));
        }
        return settings;
    }

    /** The help's line that starts a setting's entry: its name, then its default. */
    private static String entry(String help, String name) {
        return help.lines().filter(line -> line.startsWith("  " + name + " ")).findFirst()
                .orElseGet(() -> fail(name + " has no entry in the help:\n" + help));
    }

    /** A plain default ("8080"); null for one the log describes instead ("(not set: tokens off)"). */
    private static String plainDefault(String described) {
        return described.startsWith("(") ? null : described.split(" ", 2)[0];
    }

    private static void assertListsEverySettingWithItsDefault(String help) {
        describedDefaults().forEach((name, described) -> {
            String shown = entry(help, name).substring(2 + name.length()).strip();
            String plain = plainDefault(described);
            if (plain == null) {
                assertTrue(shown.equals("(unset)") || shown.equals("(empty)"),
                        name + " is not set by default (" + described + "), but the help shows " + shown);
            } else {
                assertEquals(plain, shown, name + "'s default in the help");
            }
        });
    }

    @Test
    void helpListsEverySettingWithItsDefaultAndExitsWithoutStartingAServer() throws Exception {
        Run run = launch("--help");

        assertEquals(0, run.exitCode(), "exit code of --help; stderr:\n" + run.err());
        assertTrue(run.out().startsWith("Usage: java -jar chat-standalone.jar"), "the help:\n" + run.out());
        assertListsEverySettingWithItsDefault(run.out());
        assertFalse(run.out().contains("listening"), "no server started:\n" + run.out());
    }

    @Test
    void theShortFlagPrintsTheSameHelp() throws Exception {
        Run run = launch("-h");

        assertEquals(0, run.exitCode(), "exit code of -h; stderr:\n" + run.err());
        assertEquals(Usage.text(), run.out());
    }

    @Test
    void anUnknownArgumentIsNamedOnStderrWithTheUsageAndExitsTwo() throws Exception {
        Run run = launch("--bogus");

        assertEquals(2, run.exitCode(), "exit code for an unknown argument");
        assertEquals("", run.out(), "nothing on stdout");
        String first = run.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("chat: ") && first.contains("--bogus"), "the error line names the argument: " + first);
        assertTrue(run.err().contains("Usage: java -jar chat-standalone.jar"), "the usage follows:\n" + run.err());
        assertListsEverySettingWithItsDefault(run.err());
    }

    @Test
    void theHelpHasOneEntryForEachSettingTheServerReports() {
        // no entry for a setting that is gone, none twice, and in the startup log's order
        List<String> names = Usage.text().lines().filter(line -> line.startsWith("  CHAT_"))
                .map(line -> line.strip().split(" ")[0]).toList();
        assertEquals(List.copyOf(describedDefaults().keySet()), names);
    }

    @Test
    void eachEntrySaysWhatTheSettingAllows() {
        String help = Usage.text();
        assertTrue(help.contains("  CHAT_MAX_ROOMS_PER_CONNECTION  100\n"), help);
        String entry = help.substring(help.indexOf("  CHAT_MAX_ROOMS_PER_CONNECTION "));
        assertTrue(entry.contains("\n      allowed: 1 to 10000\n"), entry);
        assertTrue(help.contains("      allowed: text, json\n"), "Markdown's backticks are not shown:\n" + help);
    }
}

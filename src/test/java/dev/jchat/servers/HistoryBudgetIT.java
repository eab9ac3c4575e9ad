package dev.jchat.servers;

import dev.jchat.room.HistoryBudgetTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link HistoryBudgetTest}'s scenario against the packaged runtimes, each in a process of its
 * own: the jar, the WAR in Tomcat, the WAR in Payara Micro. The heap is the live objects that
 * {@code jcmd GC.class_histogram} counts after the full collection it makes.
 */
class HistoryBudgetIT {

    private static final Map<String, String> SETTINGS = Map.of(
            "CHAT_HISTORY_MAX_MB", Integer.toString(HistoryBudgetTest.BUDGET_MB),
            "CHAT_MAX_MESSAGE_CHARS", Integer.toString(HistoryBudgetTest.CHARS + 100),
            "CHAT_RATE_PER_SECOND", "0",
            "CHAT_RATE_BURST", "0");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"standalone", "tomcat", "payara"})
    void historiesStayWithinTheBudget(String runtime) throws Exception {
        try (ServerProcess server = switch (runtime) {
            case "standalone" -> StandaloneServer.start(SETTINGS);
            case "tomcat" -> TomcatServer.start(SETTINGS);
            default -> PayaraServer.start(Map.of(), SETTINGS);
        }) {
            HistoryBudgetTest.fillPastTheBudget(server.chatUri(), () -> liveBytes(server.pid()),
                    HistoryBudgetTest.PROCESS_MARGIN_MB, runtime);
        }
    }

    /** The bytes of every live object in the process, from the last line of its class histogram. */
    private static long liveBytes(long pid) throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process process = new ProcessBuilder(jcmd, Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("jcmd GC.class_histogram failed: " + out);
        }
        for (String line : out.strip().split("\n")) {
            String[] cells = line.strip().split("\\s+");
            if (cells[0].equals("Total")) {
                return Long.parseLong(cells[2]);
            }
        }
        throw new IOException("no Total in jcmd GC.class_histogram: " + out);
    }
}

package dev.jchat.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's live heap: a full GC ({@code jcmd PID GC.run}), then {@code jcmd PID GC.heap_info},
 * summing the "used" of its generations (G1's one heap line, or Parallel's and Serial's young and
 * old ones; Metaspace is not heap), and RSS from /proc. Immutable.
 *
 * @param usedKb      heap in use after the GC
 * @param committedKb heap the JVM holds from the system
 * @param rssKb       resident set size of the whole process
 */
record ServerHeap(long usedKb, long committedKb, long rssKb) {

    private static final Pattern GENERATION = Pattern.compile("total (\\d+)K, used (\\d+)K");

    /** Null when {@code pid} is not a JVM jcmd can reach. */
    static ServerHeap afterFullGc(long pid) throws IOException, InterruptedException {
        if (!ServerProcessStats.isJvm(pid)) {
            return null;
        }
        ServerProcessStats.fullGc(pid);
        Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            return null;
        }
        long used = 0;
        long committed = 0;
        Matcher m = GENERATION.matcher(out);
        while (m.find()) {
            committed += Long.parseLong(m.group(1));
            used += Long.parseLong(m.group(2));
        }
        return new ServerHeap(used, committed, ServerProcessStats.read(pid).rssKb());
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%.1f MB used of %.1f MB committed, RSS %.1f MB",
                usedKb / 1024.0, committedKb / 1024.0, rssKb / 1024.0);
    }
}

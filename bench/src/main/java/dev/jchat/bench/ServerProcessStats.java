package dev.jchat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time (user and kernel) and resident memory of a process, read from /proc. Immutable.
 *
 * @param userMillis   user CPU time
 * @param systemMillis kernel CPU time
 * @param rssKb        resident set size
 */
record ServerProcessStats(long userMillis, long systemMillis, long rssKb) {

    /** Linux reports CPU in clock ticks; 100 per second on every machine this runs on (getconf CLK_TCK). */
    private static final long TICKS_PER_SECOND = 100;

    static ServerProcessStats read(long pid) throws IOException {
        if (pid <= 0) {
            return new ServerProcessStats(0, 0, 0);
        }
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // the command name (field 2) may hold spaces; the fields after its closing parenthesis do not
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long utime = Long.parseLong(fields[11]);
        long stime = Long.parseLong(fields[12]);
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return new ServerProcessStats(utime * 1000 / TICKS_PER_SECOND, stime * 1000 / TICKS_PER_SECOND, rss);
    }

    ServerProcessStats minus(ServerProcessStats earlier) {
        return new ServerProcessStats(userMillis - earlier.userMillis, systemMillis - earlier.systemMillis,
                rssKb - earlier.rssKb);
    }
}

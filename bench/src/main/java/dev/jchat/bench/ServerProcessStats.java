package dev.jchat.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * CPU time (user and kernel) and resident memory of one process, read from /proc. Immutable.
 *
 * @param userMillis   user CPU time
 * @param systemMillis kernel CPU time
 * @param rssKb        resident set size (VmRSS)
 */
record ServerProcessStats(long userMillis, long systemMillis, long rssKb) {

    private static final long TICKS_PER_SECOND = clockTicks();

    static ServerProcessStats read(long pid) throws IOException {
        return pid <= 0 ? new ServerProcessStats(0, 0, 0) : read(Long.toString(pid), false);
    }

    /**
     * Like {@link #read(long)}, with the CPU of the children it waited for added: Redis rewrites
     * its append-only file in a forked child, whose time shows only there once it ended.
     */
    static ServerProcessStats readWithChildren(long pid) throws IOException {
        return pid <= 0 ? new ServerProcessStats(0, 0, 0) : read(Long.toString(pid), true);
    }

    /** The load generator itself, to tell when it, not the server, is the bottleneck. */
    static ServerProcessStats self() throws IOException {
        return read("self", false);
    }

    private static ServerProcessStats read(String pid, boolean children) throws IOException {
        String stat = Files.readString(Path.of("/proc", pid, "stat"));
        // the command name (field 2) may hold spaces; the fields after its closing parenthesis do not
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long utime = Long.parseLong(fields[11]);
        long stime = Long.parseLong(fields[12]);
        if (children) {
            utime += Long.parseLong(fields[13]);
            stime += Long.parseLong(fields[14]);
        }
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return new ServerProcessStats(utime * 1000 / TICKS_PER_SECOND, stime * 1000 / TICKS_PER_SECOND, rss);
    }

    /**
     * CPU time the whole machine spent busy (every state but idle and waiting for I/O), in ms,
     * summed over its cores: on a shared machine, what other work took from the run.
     */
    static long machineBusyMillis() throws IOException {
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < cpu.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
            if (i != 4 && i != 5) {
                busy += Long.parseLong(cpu[i]);
            }
        }
        return busy * 1000 / TICKS_PER_SECOND;
    }

    ServerProcessStats minus(ServerProcessStats earlier) {
        return new ServerProcessStats(userMillis - earlier.userMillis, systemMillis - earlier.systemMillis,
                rssKb - earlier.rssKb);
    }

    long cpuMillis() {
        return userMillis + systemMillis;
    }

    /** True when the process is a JVM, so that {@link #fullGc} means something. */
    static boolean isJvm(long pid) throws IOException {
        return pid > 0 && Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim().equals("java");
    }

    /** Asks a JVM for a full GC (G1 then gives unused heap back), so RSS shows live memory. */
    static void fullGc(long pid) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!jcmd.waitFor(60, TimeUnit.SECONDS)) {
            jcmd.destroyForcibly();
        }
    }

    /** Ticks per second of /proc's utime and stime: {@code getconf CLK_TCK}, 100 on Linux if that fails. */
    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return p.waitFor() == 0 ? Long.parseLong(out) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}

package dev.jchat.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A member that joins and then stops reading, to see the server give up on it (1013 "too slow"
 * once what waits for it is older than the send timeout, or larger than the outbound limit)
 * without anyone else noticing.
 *
 * <p>Filling the server's send path takes more than one might think. Linux grows a loopback
 * socket's send buffer to {@code tcp_wmem}'s maximum (4 MB) at once, whatever the peer's
 * receive buffer, and about 3 MB of frames fit in it; the room sends a member about 1.5 KB a
 * second, so a reader that only stops reading would be noticed after half an hour. So this one
 * keeps a 4 KB receive buffer (set before connecting), joins with {@code since=0} so the room's
 * whole history is queued for it at once, and then sends JSON pings (never rate-limited, each
 * answered with a pong through the same outbound queue as the room's messages) at a steady
 * rate, enough to fill that buffer within the given time: a client whose reading is stuck while
 * its heartbeat goes on, only faster. It stops pinging once the room announces its leave.
 *
 * <p>A reader that does not read never sees the server's close frame: the other members' view
 * of the room (its {@code leave}) tells when the server gave up; a probe every second (an empty
 * unsolicited pong, which needs no answer) tells when the TCP connection is gone, as the kernel
 * then resets it. At the end it reads what is left, to see how the stream ended. Used by one
 * thread, but {@link #report} may come from another once {@link #run} returned.
 */
final class StalledReader {

    private static final int RECEIVE_BUFFER = 4096;
    private static final int PONG_BYTES = 60; // {"type":"pong","dateTime":"…"} and its frame header
    private static final String PING = "{\"type\":\"ping\"}";

    private final URI uri;
    private final LongSupplier leftAt; // nanoTime at which the room announced this member's leave, 0 before
    private RawWebSocket socket;
    private long backlog = -1;         // the room's lastId when it joined with since=0
    private int pingRate;
    private long pings;
    private long stalledAt;            // when it stopped reading
    private long resetAt;              // when a write first failed: the TCP connection is gone
    private long stoppedAt;
    private String resetBy = "";
    private String drained = "not drained";

    StalledReader(String roomUrl, String name, LongSupplier leftAt) {
        this.uri = URI.create(roomUrl + "&user=" + name + "&since=0" + LoadGenerator.BENCH_KEY);
        this.leftAt = leftAt;
    }

    /**
     * Joins, reads only its welcome, then pings until the server gave up on it, and probes
     * until {@code stopAt} (nanoTime) or until the TCP connection is reset.
     */
    void run(Duration fillWithin, long stopAt) throws InterruptedException {
        try {
            socket = RawWebSocket.open(uri, RECEIVE_BUFFER, Duration.ofSeconds(10));
            backlog = FlatJson.number(socket.awaitJson("welcome", Duration.ofSeconds(30)), "lastId");
        } catch (IOException | IllegalArgumentException e) {
            resetBy = "could not join: " + e.getMessage();
            return;
        }
        long sendBuffer = maxSendBuffer();
        pingRate = (int) Math.max(100, Math.min(3000, sendBuffer / PONG_BYTES / Math.max(1, fillWithin.toSeconds())));
        long maxPings = 2 * sendBuffer / PONG_BYTES; // bounded, so its writes never fill the server's receive buffer
        stalledAt = System.nanoTime();
        long nextProbe = stalledAt;
        try {
            while (System.nanoTime() < stopAt) {
                long now = System.nanoTime();
                long due = Math.min(maxPings, (now - stalledAt) / 1_000_000 * pingRate / 1000);
                while (leftAt.getAsLong() == 0 && pings < due) {
                    socket.sendText(PING);
                    pings++;
                }
                if (now >= nextProbe) {
                    socket.send(RawWebSocket.PONG, true, new byte[0]);
                    nextProbe = now + 1_000_000_000L;
                }
                Thread.sleep(10);
            }
        } catch (IOException e) {
            resetAt = System.nanoTime();
            resetBy = e.getMessage();
        } finally {
            stoppedAt = System.nanoTime();
        }
    }

    /** tcp_wmem's maximum: how far Linux lets the server's send buffer grow. */
    private static long maxSendBuffer() {
        try {
            String[] wmem = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_wmem")).trim().split("\\s+");
            return Long.parseLong(wmem[2]);
        } catch (IOException | RuntimeException e) {
            return 4L << 20; // Linux's default
        }
    }

    /** Reads what the server left in the pipe: how many frames, and how the stream ended. Bounded in time. */
    void drain() {
        if (socket == null) {
            return;
        }
        int frames = 0;
        long bytes = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String end = "still open after 30 s of reading";
        try {
            while (System.nanoTime() < deadline) {
                RawWebSocket.Frame f = socket.read(Duration.ofSeconds(3));
                if (f == null) {
                    end = "still open, nothing more to read";
                    break;
                }
                frames++;
                bytes += f.payload().length;
                if (f.opcode() == RawWebSocket.CLOSE) {
                    end = "close " + f.closeCode() + " " + f.closeReason();
                    socket.sendClose(1000);
                    break;
                }
            }
        } catch (EOFException e) {
            end = "end of stream without a close frame";
        } catch (IOException e) {
            end = "reset (" + e.getMessage() + ")";
        }
        socket.close();
        drained = String.format(Locale.ROOT, "read %d frames (%d KB) then: %s", frames, bytes / 1024, end);
    }

    /** The report's lines about it. */
    List<String> report() {
        List<String> lines = new ArrayList<>();
        if (backlog < 0) {
            lines.add("stalled_reader         " + (resetBy.isEmpty() ? "not started" : resetBy));
            return lines;
        }
        lines.add(String.format(Locale.ROOT, "stalled_reader_load    joined with since=0 (lastId %d), then %d pings at %d/s",
                backlog, pings, pingRate));
        long left = leftAt.getAsLong();
        lines.add(left == 0
                ? String.format(Locale.ROOT, "stalled_reader         never dropped: the room announced no leave in %.1f s without reading",
                        (stoppedAt - stalledAt) / 1e9)
                : String.format(Locale.ROOT, "stalled_reader         dropped by server after %.1f s without reading (the room announced its leave)",
                        (left - stalledAt) / 1e9));
        lines.add(resetAt == 0
                ? String.format(Locale.ROOT, "stalled_reader_tcp     still open %.1f s after it stopped reading (probe writes kept succeeding)",
                        (stoppedAt - stalledAt) / 1e9)
                : String.format(Locale.ROOT, "stalled_reader_tcp     reset after %.1f s (%s)", (resetAt - stalledAt) / 1e9, resetBy));
        lines.add("stalled_reader_drain   " + drained);
        return lines;
    }
}

package dev.jchat.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A member of the room that sends only frames the server must refuse, over raw sockets so that
 * they are exactly as hostile as intended, in cycles over the whole soak. It records what came
 * back; whether any of it reached the others is for the other clients to tell (a chat frame
 * under this name is a leak). Not a chat message it sends may be published: even its burst is
 * of over-long messages, refused for their length before the rate limit, by it after.
 * Used by one thread.
 */
final class HostileClient {

    private static final Duration ANSWER_WAIT = Duration.ofSeconds(5);
    private static final int BURST = 200;
    private static final byte[] LONE_SURROGATE_UTF8 = {(byte) 0xED, (byte) 0xB0, (byte) 0x80}; // U+DC00 as if it were a character

    private final String roomUrl;
    private final String name;
    private final Tally outcomes = new Tally(); // "step (want …) -> what happened"
    private final Tally errors = new Tally();   // error codes over every step
    private final Tally closes = new Tally();   // close codes over every step
    private String key;                         // a version-2 server's key for the name
    private int cycles;

    HostileClient(String roomUrl, String name) {
        this.roomUrl = roomUrl;
        this.name = name;
    }

    /** Runs a cycle every {@code every} until {@code stopAt} (nanoTime). */
    void run(long stopAt, Duration every) throws InterruptedException {
        while (System.nanoTime() < stopAt) {
            long next = System.nanoTime() + every.toNanos();
            cycle();
            cycles++;
            long pause = Math.min(next, stopAt) - System.nanoTime();
            if (pause > 0) {
                Thread.sleep(pause / 1_000_000);
            }
        }
    }

    private void cycle() {
        String tooLong = "x".repeat(2001);
        step("malformed frames on one connection", ws -> {
            ask(ws, "lone surrogate as a JSON escape (want error invalid-message)", "{\"msg\":\"\\udc00\"}");
            ask(ws, "malformed JSON (want error invalid-json)", "{\"msg\":\"unterminated");
            ask(ws, "unknown type (want error invalid-message)", "{\"type\":\"shout\",\"msg\":\"hi\"}");
            ask(ws, "64 KB JSON ping (want pong)", "{\"type\":\"ping\",\"pad\":\"" + "p".repeat(65_000) + "\"}");
            int sent = 0;
            try {
                for (; sent < BURST; sent++) {
                    ws.sendText("{\"type\":\"chat\",\"msg\":\"" + tooLong + "\"}");
                }
            } catch (IOException e) {
                // the server closed it mid-burst: what it answered tells why
            }
            return "burst of " + sent + "/" + BURST + " over-long chat frames (want errors, then close 1008) -> "
                    + readUntilClosed(ws);
        });
        step("lone surrogate as raw UTF-8 bytes (want close 1007)", ws -> {
            byte[] head = "{\"msg\":\"".getBytes(StandardCharsets.UTF_8);
            byte[] frame = new byte[head.length + LONE_SURROGATE_UTF8.length + 2];
            System.arraycopy(head, 0, frame, 0, head.length);
            System.arraycopy(LONE_SURROGATE_UTF8, 0, frame, head.length, LONE_SURROGATE_UTF8.length);
            frame[frame.length - 2] = '"';
            frame[frame.length - 1] = '}';
            ws.send(RawWebSocket.TEXT, true, frame);
            return answer(ws);
        });
        byte[] big = ("{\"msg\":\"" + "y".repeat(70 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        step("70 KB text in one frame (want close 1009)", ws -> {
            ws.send(RawWebSocket.TEXT, true, big);
            return answer(ws);
        });
        step("70 KB text in 5 fragments (want close 1009)", ws -> {
            int part = big.length / 5 + 1;
            try {
                for (int from = 0; from < big.length; from += part) {
                    int to = Math.min(big.length, from + part);
                    ws.send(from == 0 ? RawWebSocket.TEXT : RawWebSocket.CONTINUATION, to == big.length,
                            Arrays.copyOfRange(big, from, to));
                }
            } catch (IOException e) {
                // closed before the last fragment: the answer says with what
            }
            return answer(ws);
        });
        step("binary frame (want close 1003)", ws -> {
            ws.send(RawWebSocket.BINARY, true, new byte[] {1, 2, 3});
            return answer(ws);
        });
        step("200-byte protocol ping, over the 125 allowed (want close 1002)", ws -> {
            ws.send(RawWebSocket.PING, true, new byte[200]);
            return answer(ws);
        });
    }

    /** What one step does on its own fresh connection; returns the outcome of its last frame. */
    private interface Step {
        String run(RawWebSocket ws) throws IOException;
    }

    private void step(String label, Step step) {
        String outcome;
        try (RawWebSocket ws = RawWebSocket.open(uri(), 0, Duration.ofSeconds(10))) {
            Map<String, Object> welcome = ws.awaitJson("welcome", Duration.ofSeconds(30));
            if (welcome.get("key") instanceof String k) {
                key = k;
            }
            outcome = step.run(ws);
            ws.sendClose(1000);
        } catch (IOException | RuntimeException e) {
            outcome = "failed: " + e.getMessage();
        }
        outcomes.add(outcome.startsWith("burst") ? outcome : label + " -> " + outcome);
    }

    private URI uri() {
        return URI.create(roomUrl + "&user=" + name + (key == null ? "" : "&key=" + URLEncoder.encode(key, StandardCharsets.UTF_8)));
    }

    /** Sends one frame expected to be refused without closing, and records the answer under {@code label}. */
    private void ask(RawWebSocket ws, String label, String text) throws IOException {
        ws.sendText(text);
        outcomes.add(label + " -> " + answer(ws));
    }

    /** The first answer that is not the room's traffic: an error, a pong, a close, or silence. */
    private String answer(RawWebSocket ws) {
        long deadline = System.nanoTime() + ANSWER_WAIT.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                RawWebSocket.Frame f = left <= 0 ? null : ws.read(Duration.ofNanos(left));
                if (f == null) {
                    return "no answer in " + ANSWER_WAIT.toSeconds() + " s";
                }
                if (f.opcode() == RawWebSocket.CLOSE) {
                    closes.add(f.closeCode() + " " + f.closeReason());
                    return "close " + f.closeCode() + " " + f.closeReason();
                }
                if (f.opcode() == RawWebSocket.TEXT) {
                    Object type = FlatJson.parse(f.text()).get("type");
                    if ("error".equals(type)) {
                        String code = String.valueOf(FlatJson.parse(f.text()).get("code"));
                        errors.add(code);
                        return "error " + code;
                    }
                    if ("pong".equals(type)) {
                        return "pong";
                    }
                }
            }
        } catch (EOFException e) {
            return "connection ended without a close frame";
        } catch (IOException | IllegalArgumentException e) {
            return "failed: " + e.getMessage();
        }
    }

    /** After the burst: every error until the server closes, summarised. */
    private String readUntilClosed(RawWebSocket ws) {
        Tally seen = new Tally();
        String end;
        while (true) {
            String a = answer(ws);
            if (a.startsWith("error ")) {
                seen.add(a.substring("error ".length()));
                continue;
            }
            end = a.startsWith("no answer") ? "still open" : a;
            break;
        }
        // the counts vary by a frame or two with timing: they go to the error tally, the codes here
        List<String> parts = new ArrayList<>(seen.snapshot().keySet());
        return (parts.isEmpty() ? "no errors" : "errors " + String.join(", ", parts)) + ", then " + end;
    }

    /** The report's lines about it. */
    List<String> report() {
        List<String> lines = new ArrayList<>();
        lines.add("hostile_cycles         " + cycles);
        errors.snapshot().forEach((code, n) -> lines.add("hostile_errors         " + code + ": " + n));
        closes.snapshot().forEach((code, n) -> lines.add("hostile_closes         " + code + ": " + n));
        outcomes.snapshot().forEach((what, n) -> lines.add("hostile                " + what + ": " + n));
        return lines;
    }
}

package dev.jchat.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver on a free port of this machine: the JDK's HTTP server, recording every POST
 * and checking its {@code Chat-Signature} with its own HMAC (not the server's code). It answers
 * 200, or 500 to the events a test tells it to refuse. Thread-safe.
 */
public final class Receiver implements AutoCloseable {

    private static final Pattern SIGNATURE = Pattern.compile("t=(\\d+),v1=([0-9a-f]{64})");

    /** One POST received: its body as JSON, whether its signature held, and what it was answered. */
    record Received(JsonObject event, String body, boolean signed, int answered) {
    }

    private final HttpServer server;
    private final String secret;
    private final List<Received> received = new ArrayList<>(); // guarded by this
    private Predicate<JsonObject> refuse = event -> false; // guarded by this
    private int refusals; // guarded by this: how many more to refuse

    private Receiver(String secret) throws IOException {
        this.secret = secret;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            JsonObject event;
            try (JsonReader reader = Json.createReader(new StringReader(body))) {
                event = reader.readObject();
            }
            boolean signed = verified(exchange.getRequestHeaders().getFirst("Chat-Signature"), body);
            int status;
            synchronized (this) {
                status = "POST".equals(exchange.getRequestMethod()) && refusals > 0 && refuse.test(event) ? 500 : 200;
                if (status == 500) {
                    refusals--;
                }
                received.add(new Received(event, body, signed, status));
                notifyAll();
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    /** A receiver checking signatures made with {@code secret} (null: expects none). */
    public static Receiver start(String secret) {
        try {
            return new Receiver(secret);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** Answers 500 to the next {@code times} events that match, 200 to the rest. */
    synchronized void refuse(Predicate<JsonObject> which, int times) {
        refuse = which;
        refusals = times;
    }

    /** Every POST that matched so far, refused ones included, in the order they came. */
    synchronized List<Received> all(Predicate<JsonObject> which) {
        return received.stream().filter(r -> which.test(r.event())).toList();
    }

    /** The events that matched and were taken (200), in order, once there are {@code count}; fails after {@code wait}. */
    public List<JsonObject> taken(Predicate<JsonObject> which, int count, Duration wait) {
        long end = System.nanoTime() + wait.toNanos();
        synchronized (this) {
            while (true) {
                List<JsonObject> taken = received.stream().filter(r -> r.answered() == 200 && which.test(r.event()))
                        .map(Received::event).toList();
                if (taken.size() >= count) {
                    return taken;
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    fail("expected " + count + " webhook events, got " + taken.size() + ": " + taken);
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /**
     * Asserts that every POST so far was signed with the secret, within 5 minutes of now; for a
     * receiver without a secret, that none carried the header.
     */
    public synchronized void assertAllSigned() {
        assertTrue(!received.isEmpty());
        for (Received r : received) {
            assertTrue(r.signed(), () -> "not signed right: " + r.body());
        }
    }

    /** Asserts that no event it answered 200 came twice (one {@code eventId} each): at least once, not more. */
    public synchronized void assertEachAcceptedOnce() {
        Set<String> eventIds = new HashSet<>();
        for (Received r : received) {
            if (r.answered() == 200) {
                assertTrue(eventIds.add(r.event().getString("eventId")), r::body);
            }
        }
    }

    private boolean verified(String header, String body) {
        if (secret == null) {
            return header == null;
        }
        Matcher m = header == null ? null : SIGNATURE.matcher(header);
        if (m == null || !m.matches()) {
            return false;
        }
        long t = Long.parseLong(m.group(1));
        if (Math.abs(System.currentTimeMillis() / 1000 - t) > 300) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String expected = HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
            return expected.equals(m.group(2));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Events of a room, by their {@code room}. */
    public static Predicate<JsonObject> inRoom(String room) {
        return event -> room.equals(event.getString("room", null));
    }

    /** {@code online} and {@code offline} of a name. */
    static Predicate<JsonObject> ofName(String user) {
        return event -> event.getString("event").startsWith("o") && user.equals(event.getString("user", null));
    }

    static void assertIds(List<JsonObject> events, long... ids) {
        assertEquals(ids.length, events.size(), events::toString);
        for (int i = 0; i < ids.length; i++) {
            assertEquals(ids[i], events.get(i).getJsonNumber("id").longValue(), events::toString);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

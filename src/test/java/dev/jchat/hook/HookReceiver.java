package dev.jchat.hook;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real publish hook for tests: the JDK's HTTP server on a free port of 127.0.0.1, keeping every
 * request's body and answering each as {@link #byFirstWord} says (after a delay of its own, on a thread
 * of its own, so that a slow answer holds no other). Thread-safe.
 */
public final class HookReceiver implements AutoCloseable {

    /** An answer: its status and body after {@code delayMillis}. */
    public record Answer(long delayMillis, int status, String body) {

        public static Answer allow() {
            return new Answer(0, 200, "{\"action\":\"allow\"}");
        }

        public static Answer replace(String msg) {
            return new Answer(0, 200, Json.createObjectBuilder().add("action", "replace").add("msg", msg).build().toString());
        }

        public static Answer reject(String reason) {
            return new Answer(0, 200, Json.createObjectBuilder().add("action", "reject").add("reason", reason).build().toString());
        }

        public Answer after(long millis) {
            return new Answer(millis, status, body);
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();

    /**
     * How the tests' hook answers unless told otherwise, by the message's first word: {@code replace}, {@code reject},
     * {@code blank} (a replacement the rules refuse), {@code slow} (allowed after 500 ms),
     * {@code silent} (allowed after 3 s: past every timeout here), {@code broken} (500),
     * {@code nonsense} (an action that is none); anything else allowed.
     */
    public static Answer byFirstWord(JsonObject request) {
        String msg = request.getString("msg");
        String first = msg.split(" ")[0];
        return switch (first) {
            case "replace" -> Answer.replace("REPLACED " + msg.substring(first.length()).strip());
            case "reject" -> Answer.reject("not here, please");
            case "blank" -> Answer.replace("   ");
            case "slow" -> Answer.allow().after(500);
            case "silent" -> Answer.allow().after(3_000);
            case "broken" -> new Answer(0, 500, "{\"action\":\"allow\"}");
            case "nonsense" -> new Answer(0, 200, "{\"action\":\"maybe\"}");
            default -> Answer.allow();
        };
    }

    private HookReceiver(HttpServer server) {
        this.server = server;
    }

    public static HookReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
            HookReceiver receiver = new HookReceiver(server);
            server.createContext("/hook", exchange -> {
                try (exchange; InputStream in = exchange.getRequestBody()) {
                    JsonObject request = Json.createReader(new StringReader(new String(in.readAllBytes(),
                            StandardCharsets.UTF_8))).readObject();
                    receiver.received.add(request);
                    Answer answer = byFirstWord(request);
                    if (answer.delayMillis() > 0) {
                        Thread.sleep(answer.delayMillis());
                    }
                    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(answer.status(), body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException e) {
                    // the chat gave up on this answer (its timeout): nothing to answer to
                }
            });
            server.setExecutor(receiver.threads);
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new IllegalStateException("the hook receiver did not start", e);
        }
    }

    /** The URL for {@code CHAT_PUBLISH_HOOK_URL}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** The next request the hook got, within 10 s, or fails. */
    public JsonObject next() {
        try {
            JsonObject request = received.poll(10, TimeUnit.SECONDS);
            assertNotNull(request, "the hook got no request within 10 s");
            return request;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Forgets the requests received so far. */
    public void clear() {
        received.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}

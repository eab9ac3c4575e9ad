package dev.jchat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import java.io.StringReader;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real WebSocket client (the JDK's) that records what it receives on a queue, in the manner of
 * OkHttp's WebSocketRecorder: tests poll with a deadline and fail with a clear message.
 */
public final class TestClient implements WebSocket.Listener, AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Something the client observed. */
    public sealed interface Event {
    }

    public record Text(String text) implements Event {
    }

    public record Closed(int code, String reason) implements Event {
    }

    public record Failed(Throwable error) implements Event {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final AtomicInteger texts = new AtomicInteger();
    private final StringBuilder partial = new StringBuilder();
    private volatile boolean paused;
    private volatile WebSocket socket;

    private TestClient() {
    }

    /** Connects and waits for the handshake; fails the test if it does not succeed. */
    public static TestClient connect(URI uri) {
        return connect(uri, Map.of());
    }

    /**
     * A connection that names itself in the query presents a key made from the name, as a page
     * presents the key it stored: every test connection of a name proves the same hold, on any
     * server, across restarts. A query with a {@code key} of its own (an empty {@code key=} for
     * none) or a {@code token} is left as it is.
     */
    public static URI withTestKey(URI uri) {
        String query = uri.getRawQuery();
        if (query == null || query.contains("key=") || query.contains("token=")) {
            return uri;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("user=")) {
                String name = URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
                return URI.create(uri + "&key=" + URLEncoder.encode(testKey(name), StandardCharsets.UTF_8));
            }
        }
        return uri;
    }

    /** The key test connections of {@code name} present. */
    public static String testKey(String name) {
        return "test-key-of-" + name;
    }

    public static TestClient connect(URI uri, Map<String, String> headers, String... subprotocols) {
        uri = withTestKey(uri);
        TestClient client = new TestClient();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(WAIT);
        headers.forEach(builder::header);
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        try {
            client.socket = builder.buildAsync(uri, client).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("could not connect to " + uri + ": " + e + answerOf(e.getCause()), e);
        } catch (TimeoutException e) {
            throw new AssertionError("could not connect to " + uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return client;
    }

    /** What the server answered to a refused handshake, for the failure message. */
    private static String answerOf(Throwable cause) {
        if (!(cause instanceof WebSocketHandshakeException refused)) {
            return "";
        }
        HttpResponse<?> answer = refused.getResponse();
        return " (HTTP " + answer.statusCode() + ", headers " + answer.headers().map()
                + ", body " + answer.body() + ", cause " + refused.getCause() + ")";
    }

    /** Connects expecting the handshake to be refused; returns the HTTP status. */
    public static int refusedStatus(URI uri, Map<String, String> headers) {
        TestClient client = new TestClient();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(WAIT);
        headers.forEach(builder::header);
        CompletableFuture<WebSocket> future = builder.buildAsync(uri, client);
        try {
            WebSocket ws = future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            ws.abort();
            throw new AssertionError("the handshake to " + uri + " was accepted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw new AssertionError("handshake failed without an HTTP answer: " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new AssertionError("no answer to the handshake", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // --- sending

    public void send(String text) {
        join(socket.sendText(text, true));
    }

    /** A WebSocket ping frame (not the protocol's JSON ping); the container answers it itself. */
    public void sendProtocolPing() {
        join(socket.sendPing(ByteBuffer.wrap(new byte[] {'k', 'a'})));
    }

    /** Sends unless the connection is already closed for output; returns whether it sent. */
    public boolean trySay(String msg) {
        if (socket.isOutputClosed()) {
            return false;
        }
        try {
            socket.sendText(Json.createObjectBuilder().add("msg", msg).build().toString(), true)
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            return false; // closed by the server meanwhile
        } catch (TimeoutException e) {
            throw new AssertionError("send hung", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public void sendBinary(byte[] data) {
        join(socket.sendBinary(ByteBuffer.wrap(data), true));
    }

    /** Sends {@code {"type":"chat","msg":...}}. */
    public void say(String msg) {
        send(Json.createObjectBuilder().add("type", "chat").add("msg", msg).build().toString());
    }

    /** Stops reading: the server's writes back up in TCP once the buffers are full. */
    public void pauseReading() {
        paused = true;
    }

    public void resumeReading() {
        paused = false;
        socket.request(1);
    }

    // --- expectations

    /** The next event, or a failure after {@link #WAIT}. */
    public Event nextEvent() {
        return nextEvent(WAIT);
    }

    /** The next event, or a failure after {@code wait}. */
    public Event nextEvent(Duration wait) {
        Event event = poll(wait);
        if (event == null) {
            fail("nothing arrived within " + wait.toSeconds() + " s");
        }
        return event;
    }

    /** The next event, or null when none came within {@code wait} (for a client that may wait long, and may not). */
    public Event poll(Duration wait) {
        try {
            return events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next frame, which must be a JSON text frame. */
    public JsonObject next() {
        Event event = nextEvent();
        if (event instanceof Text text) {
            try (JsonReader reader = Json.createReader(new StringReader(text.text()))) {
                return reader.readObject();
            }
        }
        throw new AssertionError("expected a text frame, got " + event);
    }

    /** The next frame, which must be of this {@code type}. */
    public JsonObject next(String type) {
        JsonObject frame = next();
        assertEquals(type, frame.getString("type", null), () -> "unexpected frame " + frame);
        return frame;
    }

    /** The next chat frame, skipping presence and anything else before it. */
    public JsonObject nextChat() {
        return skipTo("chat");
    }

    /** The next frame of this type, past every other frame (presence, the room's traffic) before it. */
    public JsonObject skipTo(String type) {
        while (true) {
            JsonObject frame = next();
            if (type.equals(frame.getString("type", null))) {
                return frame;
            }
        }
    }

    /** A frame's list of strings, such as a welcome's {@code users}. */
    public static List<String> strings(JsonObject frame, String key) {
        return frame.getJsonArray(key).getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }

    /** The next frame must be an error with this code. */
    public JsonObject expectError(String code) {
        JsonObject error = next("error");
        assertEquals(code, error.getString("code"), () -> "unexpected error " + error);
        assertTrue(error.getString("msg").length() > 5, () -> "error without a message: " + error);
        return error;
    }

    /** The next frame must be the welcome; returns it. */
    public JsonObject welcome() {
        return next("welcome");
    }

    /** The next event must be the close, with this code. */
    public Closed expectClose(int code) {
        Event event = nextEvent();
        if (event instanceof Closed closed) {
            assertEquals(code, closed.code(), () -> "unexpected close " + closed);
            return closed;
        }
        throw new AssertionError("expected close " + code + ", got " + event);
    }

    /** Skips text frames until the close; returns the close code. */
    public Closed skipToClose() {
        return skipToClose(WAIT);
    }

    /** Skips text frames until the close, waiting up to {@code wait} for each event. */
    public Closed skipToClose(Duration wait) {
        while (true) {
            Event event = nextEvent(wait);
            if (event instanceof Closed closed) {
                return closed;
            }
            if (event instanceof Failed failed) {
                throw new AssertionError("failed before closing", failed.error());
            }
        }
    }

    /** The next event that is not a text frame: the close, or the failure of a dropped connection. */
    public Event nextEventSkippingText() {
        while (true) {
            Event event = nextEvent();
            if (!(event instanceof Text)) {
                return event;
            }
        }
    }

    /** How many text frames arrived so far, read or not. */
    public int textsReceived() {
        return texts.get();
    }

    /** Nothing at all may be waiting. */
    public void assertNothingPending() {
        assertNull(events.peek(), "unexpected event");
    }

    /** The subprotocol the server selected, or "" for none. */
    public String subprotocol() {
        return socket.getSubprotocol();
    }

    public boolean isOpen() {
        return !socket.isOutputClosed() && !socket.isInputClosed();
    }

    @Override
    public void close() {
        WebSocket ws = socket;
        if (ws != null && !ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
    }

    /** Drops the TCP connection without a close frame. */
    public void abort() {
        socket.abort();
    }

    // --- listener

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            texts.incrementAndGet();
            events.add(new Text(partial.toString()));
            partial.setLength(0);
        }
        if (!paused) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        events.add(new Failed(new AssertionError("the server sent a binary frame")));
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        events.add(new Closed(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        events.add(new Failed(error));
    }

    private static void join(CompletableFuture<?> future) {
        try {
            future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException | TimeoutException e) {
            throw new AssertionError("send failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void assertPresent(JsonObject frame, String... keys) {
        for (String key : keys) {
            assertNotNull(frame.get(key), () -> "missing \"" + key + "\" in " + frame);
        }
    }
}

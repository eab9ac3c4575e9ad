package dev.jchat.bench;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One member of the soak room under one name, on the JDK's WebSocket client: it records every
 * chat id it receives in its {@link Ledger} across all its connections, can drop its connection
 * and resume with {@code since} and {@code epoch}, and reconnects the same way when the server
 * closes it unasked, as a real client would. Thread-safe: the JDK calls one connection's
 * listener one event at a time, and this object's lock orders the rest.
 */
final class SoakClient {

    private static final int MAX_UNPLANNED_RECONNECTS = 5; // past it the server is broken, not unlucky
    private static final Duration WELCOME_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final String hostileName;
    private final String url; // ws://…/chat?room=…&user=…
    private final HttpClient http;
    private final Findings findings;
    private final Ledger ledger = new Ledger();
    private Connection current;      // guarded by this
    private String epoch;            // guarded by this: of the first welcome
    private String key;              // guarded by this: a version-2 server's key for the name
    private int unplanned;           // guarded by this
    private boolean finished;        // guarded by this: the soak is over, every close is ours

    SoakClient(String name, String roomUrl, String hostileName, HttpClient http, Findings findings) {
        this.name = name;
        this.hostileName = hostileName;
        this.url = roomUrl + "&user=" + URLEncoder.encode(name, StandardCharsets.UTF_8); // its key, once claimed, is added per connection
        this.http = http;
        this.findings = findings;
    }

    String name() {
        return name;
    }

    /** First connection; completes when its welcome has arrived. */
    CompletableFuture<Void> connect() {
        return open(false).welcomed;
    }

    /**
     * Drops the connection, with a close frame or by aborting the TCP connection, waits
     * {@code pause}, and comes back with {@code since} = the newest id seen. Blocks until the
     * new welcome arrived or {@link #WELCOME_TIMEOUT} passed.
     */
    void resume(boolean graceful, Duration pause) throws InterruptedException {
        Connection old;
        synchronized (this) {
            old = current;
            if (old == null || finished) {
                return;
            }
            old.closingByUs = true;
        }
        WebSocket socket = old.socket;
        if (graceful && socket != null) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "resuming");
            try {
                old.closed.get(5, TimeUnit.SECONDS); // frames up to the server's close still count
            } catch (ExecutionException | TimeoutException e) {
                // closed badly or not at all: the abort below ends it
            }
        }
        synchronized (this) {
            old.retired = true; // from here on nothing this connection delivers is recorded
        }
        if (socket != null) {
            socket.abort();
        }
        Thread.sleep(pause.toMillis());
        Connection next = open(true);
        try {
            next.welcomed.get(WELCOME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            findings.resumesFailed.increment();
        }
    }

    /** Sends one text frame on the current connection; the future fails when there is none. */
    CompletableFuture<WebSocket> send(String text) {
        Connection c;
        synchronized (this) {
            c = current;
        }
        WebSocket socket = c == null ? null : c.socket;
        if (socket == null || c.closingByUs) {
            return CompletableFuture.failedFuture(new IllegalStateException(name + " is not connected"));
        }
        return socket.sendText(text, true);
    }

    /** Ends the client at the end of the soak: a close frame; the future completes when the server answered. */
    CompletableFuture<Void> finish() {
        Connection c;
        synchronized (this) {
            finished = true;
            c = current;
        }
        if (c == null || c.socket == null || c.closed.isDone()) {
            return CompletableFuture.completedFuture(null);
        }
        c.closingByUs = true;
        c.socket.sendClose(WebSocket.NORMAL_CLOSURE, "soak over");
        return c.closed;
    }

    void abort() {
        Connection c;
        synchronized (this) {
            finished = true;
            c = current;
        }
        if (c != null && c.socket != null) {
            c.socket.abort();
        }
    }

    synchronized long maxId() {
        return ledger.maxId();
    }

    /** Runs {@code reader} on the ledger under this client's lock. */
    synchronized <T> T read(Function<Ledger, T> reader) {
        return reader.apply(ledger);
    }

    /** Opens a connection and makes it the current one; a resume asks for what came after the newest id seen. */
    private Connection open(boolean resuming) {
        String target;
        Connection c;
        synchronized (this) {
            target = url;
            if (resuming && ledger.started()) {
                target += "&since=" + ledger.maxId() + "&epoch=" + URLEncoder.encode(epoch, StandardCharsets.UTF_8);
            }
            if (key != null) {
                target += "&key=" + URLEncoder.encode(key, StandardCharsets.UTF_8);
            }
            c = new Connection(resuming);
            current = c;
        }
        http.newWebSocketBuilder()
                .connectTimeout(WELCOME_TIMEOUT)
                .buildAsync(URI.create(target), c)
                .whenComplete((ws, error) -> {
                    if (error != null) {
                        findings.closedByServer.add("connect failed: " + rootMessage(error));
                        c.welcomed.completeExceptionally(error);
                        c.closed.complete(null);
                    }
                });
        return c;
    }

    /** A close nobody asked for: reconnect with since after a second, as the protocol invites. */
    private void ended(Connection c) {
        synchronized (this) {
            if (c != current || c.closingByUs || finished) {
                return;
            }
            c.retired = true;
            if (++unplanned > MAX_UNPLANNED_RECONNECTS) {
                findings.gaveUp.increment();
                return;
            }
        }
        findings.unplannedReconnects.increment();
        CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS).execute(() -> {
            synchronized (this) {
                if (finished || current != c) {
                    return;
                }
            }
            open(true);
        });
    }

    private void onWelcome(Connection c, Map<String, Object> frame) {
        String theirs = FlatJson.string(frame, "epoch");
        synchronized (this) {
            if (c.retired) {
                return;
            }
            ledger.welcome(FlatJson.number(frame, "lastId"));
            if (epoch == null) {
                epoch = theirs;
            } else if (!epoch.equals(theirs)) {
                findings.epochChanges.increment();
            }
            if (FlatJson.string(frame, "key") != null) {
                key = FlatJson.string(frame, "key");
            }
        }
        if (c.resuming) {
            findings.resumes.increment();
            if (Boolean.TRUE.equals(frame.get("recovered"))) {
                findings.resumesRecovered.increment();
            }
        }
        c.welcomed.complete(null);
    }

    private void onChat(Connection c, Map<String, Object> frame) {
        String user = FlatJson.string(frame, "user");
        findings.delivered.add(FlatJson.number(frame, "id"));
        if (hostileName.equals(user)) {
            findings.leaks.increment();
        } else if (!SoakText.intact(user, FlatJson.string(frame, "msg"))) {
            findings.corrupted.increment();
        }
        synchronized (this) {
            if (!c.retired) {
                ledger.chat(FlatJson.number(frame, "id"));
            }
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }

    /** One WebSocket connection of this client. */
    private final class Connection implements WebSocket.Listener {
        final boolean resuming;
        final CompletableFuture<Void> welcomed = new CompletableFuture<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        volatile WebSocket socket;
        volatile boolean closingByUs;
        boolean retired; // guarded by SoakClient.this

        Connection(boolean resuming) {
            this.resuming = resuming;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            socket = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                handle(text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            findings.malformed.increment();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (!closingByUs) {
                findings.closedByServer.add(statusCode + " " + reason);
            }
            done();
            return null; // the JDK then answers the close
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            if (!closingByUs) {
                findings.closedByServer.add("no close frame: " + rootMessage(error));
            }
            done();
        }

        private void done() {
            welcomed.completeExceptionally(new IllegalStateException("closed before its welcome"));
            closed.complete(null);
            ended(this);
        }

        private void handle(String text) {
            Map<String, Object> frame;
            try {
                frame = FlatJson.parse(text);
            } catch (IllegalArgumentException e) {
                findings.malformed.increment();
                return;
            }
            String type = FlatJson.string(frame, "type");
            if ("welcome".equals(type)) {
                onWelcome(this, frame);
            } else if ("chat".equals(type)) {
                onChat(this, frame);
            } else if ("error".equals(type)) {
                findings.clientErrors.add(String.valueOf(frame.get("code")));
            } else if ("leave".equals(type)) {
                findings.left(FlatJson.string(frame, "user"));
            } // join, pong: presence is not what this soak checks
        }
    }
}

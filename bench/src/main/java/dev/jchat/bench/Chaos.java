package dev.jchat.bench;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * The chaos run's clients (bench/run-chaos.sh): rooms spread over several chat servers, in each
 * room senders at a steady rate and readers, every one of them reconnecting and resuming with
 * {@code since} and {@code epoch} whenever its connection ends, while the script's command (kill
 * -9 of the Redis master) runs at a given second. Every message's text names its sender, its
 * sequence number and when it was sent, so that at the end it can tell, against what each sender
 * saw acknowledged (its own echo) or refused ({@code unavailable}): what a reader of the room never
 * got (lost), got twice (duplicated), or got in another order than the room's first reader (out of
 * order), and how long after the kill messages sent after it were delivered again. Prints
 * {@code key=value} lines; exits 1 when an acknowledged message was lost, duplicated or reordered.
 * Loopback only; bounded in connections and time.
 *
 * <pre>
 * java -cp chat-bench.jar dev.jchat.bench.Chaos URL[,URL...] ROOMS SENDERS READERS RATE SECONDS KILL_AT 'COMMAND'
 * </pre>
 */
public final class Chaos {

    private static final Duration DRAIN = Duration.ofSeconds(15);
    private static final String PREFIX = "chaos ";

    private final HttpClient http = HttpClient.newHttpClient();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    private final List<Client> clients = new ArrayList<>();
    private final AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
    /** From a message sent to its sender's echo, and to each reader's delivery: what the chat takes. */
    private final ConcurrentHistogram ackLatency = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final ConcurrentHistogram deliveryLatency = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final AtomicLong delivered = new AtomicLong();
    private volatile boolean finished;

    public static void main(String[] args) throws Exception {
        if (args.length != 8) {
            System.err.println("usage: Chaos URL[,URL...] ROOMS SENDERS READERS RATE SECONDS KILL_AT COMMAND");
            System.exit(2);
        }
        System.exit(new Chaos().run(args[0].split(","), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                Integer.parseInt(args[3]), Double.parseDouble(args[4]), Integer.parseInt(args[5]), Integer.parseInt(args[6]),
                args[7]));
    }

    private int run(String[] urls, int rooms, int senders, int readers, double rate, int seconds, int killAt, String command)
            throws Exception {
        int n = 0;
        for (int r = 0; r < rooms; r++) {
            for (int i = 0; i < senders + readers; i++) {
                Client client = new Client("chaos-" + r, (i < senders ? "s" : "r") + r + "-" + i, i < senders,
                        urls[n++ % urls.length]);
                clients.add(client);
                client.open();
            }
        }
        Thread.sleep(3000); // every welcome in
        long start = System.nanoTime();
        long period = Math.round(1_000_000_000 / rate);
        for (Client client : clients) {
            if (client.sender) {
                timer.scheduleAtFixedRate(client::sendNext, (long) (Math.random() * period), period, TimeUnit.NANOSECONDS);
            }
        }
        timer.schedule(() -> kill(command), killAt, TimeUnit.SECONDS);
        Thread.sleep(seconds * 1000L);
        finished = true; // no more sends
        long sendingEnded = System.nanoTime();
        Thread.sleep(DRAIN.toMillis());
        timer.shutdownNow();
        int status = report(start, sendingEnded);
        clients.forEach(Client::close);
        return status;
    }

    private void kill(String command) {
        try {
            killedAt.set(System.nanoTime());
            Process process = new ProcessBuilder("sh", "-c", command).inheritIO().start();
            process.waitFor(30, TimeUnit.SECONDS);
            System.out.println("# killed: " + command);
        } catch (Exception e) {
            System.out.println("# kill failed: " + e);
        }
    }

    private int report(long start, long sendingEnded) {
        long sent = 0, acked = 0, refused = 0, lost = 0, duplicated = 0, outOfOrder = 0, epochChanges = 0, reconnects = 0;
        long resumedAfterKill = -1; // ns from the kill to the first acknowledgement of a message sent after it
        long everyReaderAfterKill = -1; // ns from the kill until every reader got a message sent after it
        Map<String, List<Client>> byRoom = new HashMap<>();
        clients.forEach(c -> byRoom.computeIfAbsent(c.room, k -> new ArrayList<>()).add(c));
        long kill = killedAt.get();
        for (List<Client> room : byRoom.values()) {
            Set<String> acknowledged = new HashSet<>();
            for (Client c : room) {
                synchronized (c) {
                    sent += c.sent;
                    refused += c.refused;
                    acked += c.acknowledged.size();
                    acknowledged.addAll(c.acknowledged);
                    epochChanges += c.epochChanges;
                    reconnects += c.reconnects;
                    if (c.sender && c.firstAckAfterKill > 0) {
                        long after = c.firstAckAfterKill - kill;
                        resumedAfterKill = resumedAfterKill < 0 ? after : Math.min(resumedAfterKill, after);
                    }
                }
            }
            Client first = null;
            Set<String> lostHere = new HashSet<>();
            for (Client c : room) {
                if (c.sender) {
                    continue;
                }
                synchronized (c) {
                    duplicated += c.duplicates;
                    for (String text : acknowledged) {
                        if (!c.seen.contains(text)) {
                            lostHere.add(text);
                        }
                    }
                    if (c.firstAfterKill > 0) {
                        everyReaderAfterKill = Math.max(everyReaderAfterKill, c.firstAfterKill - kill);
                    } else if (kill != Long.MAX_VALUE) {
                        everyReaderAfterKill = Long.MAX_VALUE; // a reader never got going again
                    }
                    if (first == null) {
                        first = c;
                    } else {
                        outOfOrder += inversions(first, c);
                    }
                    outOfOrder += c.senderOrderBroken;
                }
            }
            lost += lostHere.size();
        }
        System.out.printf(Locale.ROOT, "sent=%d%nacknowledged=%d%nrefused=%d%nunanswered=%d%nlost=%d%nduplicated=%d%n"
                        + "out_of_order=%d%nepoch_changes=%d%nreconnects=%d%nsending_seconds=%.1f%n",
                sent, acked, refused, sent - acked - refused, lost, duplicated, outOfOrder, epochChanges, reconnects,
                (sendingEnded - start) / 1e9);
        double sendingSeconds = (sendingEnded - start) / 1e9;
        System.out.printf(Locale.ROOT, "acknowledged_per_s=%.0f%ndelivered_per_s=%.0f%nack_p50_ms=%.1f%nack_p99_ms=%.1f%n"
                        + "delivery_p50_ms=%.1f%ndelivery_p99_ms=%.1f%n", acked / sendingSeconds, delivered.get() / sendingSeconds,
                ackLatency.getValueAtPercentile(50) / 1e6, ackLatency.getValueAtPercentile(99) / 1e6,
                deliveryLatency.getValueAtPercentile(50) / 1e6, deliveryLatency.getValueAtPercentile(99) / 1e6);
        System.out.println("first_ack_after_kill_s=" + seconds(resumedAfterKill));
        System.out.println("every_reader_after_kill_s=" + seconds(everyReaderAfterKill));
        return lost == 0 && duplicated == 0 && outOfOrder == 0 ? 0 : 1;
    }

    private static String seconds(long nanos) {
        return nanos < 0 ? "-" : nanos == Long.MAX_VALUE ? "never" : String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }

    /** Messages {@code other} got in another order than {@code reference}, among those both got. */
    private static long inversions(Client reference, Client other) {
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < reference.order.size(); i++) {
            at.put(reference.order.get(i), i);
        }
        long inversions = 0;
        int last = -1;
        synchronized (other) {
            for (String text : other.order) {
                Integer i = at.get(text);
                if (i != null) {
                    if (i < last) {
                        inversions++;
                    } else {
                        last = i;
                    }
                }
            }
        }
        return inversions;
    }

    /** One member of a room under its own name, resuming whenever its connection ends. Guarded by itself. */
    private final class Client implements WebSocket.Listener {
        final String room;
        final String name;
        final boolean sender;
        final String url;
        final Set<String> acknowledged = new HashSet<>();
        final Set<String> seen = new HashSet<>();
        final List<String> order = new ArrayList<>();
        final Map<String, Long> lastSeqOf = new HashMap<>();
        long sent, refused, duplicates, senderOrderBroken, epochChanges, reconnects;
        long firstAckAfterKill, firstAfterKill;
        private long seq;
        private long lastId = -1;
        private String epoch;
        private String key;
        private WebSocket socket;
        private CompletableFuture<WebSocket> sending = CompletableFuture.completedFuture(null);
        private final StringBuilder partial = new StringBuilder();

        Client(String room, String name, boolean sender, String url) {
            this.room = room;
            this.name = name;
            this.sender = sender;
            this.url = url;
        }

        synchronized void open() {
            StringBuilder target = new StringBuilder(url).append("?room=").append(room).append("&user=").append(name);
            if (epoch != null) {
                target.append("&since=").append(lastId).append("&epoch=").append(URLEncoder.encode(epoch, StandardCharsets.UTF_8));
            }
            if (key != null) {
                target.append("&key=").append(URLEncoder.encode(key, StandardCharsets.UTF_8));
            }
            http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(URI.create(target.toString()), this)
                    .whenComplete((ws, error) -> {
                        if (error != null) {
                            reopenLater();
                        }
                    });
        }

        void sendNext() {
            WebSocket ws;
            String text;
            synchronized (this) {
                if (finished || socket == null || !sending.isDone()) {
                    return; // not connected, or the last frame not yet written: one send at a time on a WebSocket
                }
                ws = socket;
                text = PREFIX + name + " " + (++seq) + " " + System.nanoTime();
                sent++;
                sending = ws.sendText("{\"type\":\"chat\",\"msg\":\"" + text + "\"}", true);
            }
        }

        void close() {
            WebSocket ws;
            synchronized (this) {
                ws = socket;
                socket = null;
            }
            if (ws != null) {
                ws.abort();
            }
        }

        private void reopenLater() {
            synchronized (this) {
                socket = null;
                reconnects++;
            }
            if (!timer.isShutdown()) {
                timer.schedule(this::open, 500, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                handle(webSocket, partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            reopenLater();
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            reopenLater();
        }

        private synchronized void handle(WebSocket webSocket, String text) {
            Map<String, Object> frame = FlatJson.parse(text);
            String type = FlatJson.string(frame, "type");
            if ("welcome".equals(type)) {
                String theirs = FlatJson.string(frame, "epoch");
                if (epoch != null && !epoch.equals(theirs)) {
                    epochChanges++;
                }
                epoch = theirs;
                if (lastId < 0 || !Boolean.TRUE.equals(frame.get("recovered"))) {
                    lastId = FlatJson.number(frame, "lastId");
                }
                if (FlatJson.string(frame, "key") != null) {
                    key = FlatJson.string(frame, "key");
                }
                socket = webSocket;
            } else if ("chat".equals(type)) {
                chat(FlatJson.string(frame, "user"), FlatJson.string(frame, "msg"), FlatJson.number(frame, "id"));
            } else if ("error".equals(type) && "unavailable".equals(FlatJson.string(frame, "code"))) {
                refused++;
            }
        }

        private void chat(String user, String msg, long id) {
            lastId = Math.max(lastId, id);
            if (msg == null || !msg.startsWith(PREFIX)) {
                return;
            }
            String[] parts = msg.substring(PREFIX.length()).split(" ");
            long sentAt = Long.parseLong(parts[2]);
            long now = System.nanoTime();
            if (sender) {
                if (user.equals(name) && acknowledged.add(msg)) {
                    ackLatency.recordValue(Math.min(now - sentAt, ackLatency.getHighestTrackableValue()));
                    if (sentAt > killedAt.get() && firstAckAfterKill == 0) {
                        firstAckAfterKill = now;
                    }
                }
                return;
            }
            if (!seen.add(msg)) {
                duplicates++;
                return;
            }
            order.add(msg);
            delivered.incrementAndGet();
            deliveryLatency.recordValue(Math.min(now - sentAt, deliveryLatency.getHighestTrackableValue()));
            long seqNo = Long.parseLong(parts[1]);
            Long previous = lastSeqOf.put(parts[0], seqNo);
            if (previous != null && previous > seqNo) {
                senderOrderBroken++;
            }
            if (sentAt > killedAt.get() && firstAfterKill == 0) {
                firstAfterKill = now;
            }
        }
    }
}

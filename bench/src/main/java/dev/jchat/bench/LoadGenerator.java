package dev.jchat.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Loads a chat server over loopback with real WebSocket clients (the JDK's), and measures what
 * every client receives: end-to-end latency on one monotonic clock (one process), losses,
 * duplicates, and the server's CPU and memory from /proc. Bounded in connections and time.
 *
 * <p>Works against this project's server and against the tutorials' echo-to-all server alike:
 * what it measures travels inside {@code msg}, as {@code b|sender|seq|sendNanos|padding}.
 */
public final class LoadGenerator {

    private static final int CONNECTIONS_PER_HTTP_CLIENT = 250; // each HttpClient has one selector thread
    private static final String MARK = "\"msg\":\"b|";

    private final Options options;
    private final ConcurrentHistogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final LongAdder received = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder gaps = new LongAdder();
    private final AtomicLong sentMeasured = new AtomicLong();
    private volatile long measureFrom = Long.MAX_VALUE;
    private volatile long measureUntil = Long.MAX_VALUE;

    private LoadGenerator(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(Options.USAGE);
            System.exit(2);
            return;
        }
        new LoadGenerator(options).run();
        System.exit(0); // the JDK's WebSocket threads are not daemons
    }

    private void run() throws Exception {
        boolean gc = options.gcSamples() && ServerProcessStats.isJvm(options.pid());
        ServerProcessStats idle = sample(gc);
        List<Client> clients = connectAll();
        long failed = options.clients() - clients.size();
        Thread.sleep(2000); // let the welcomes and joins settle before measuring memory
        ServerProcessStats connected = sample(gc);

        ScheduledExecutorService senders = Executors.newScheduledThreadPool(2);
        int senderCount = Math.min(options.senders(), clients.size());
        if (options.rate() > 0 && senderCount > 0) {
            long period = TimeUnit.SECONDS.toNanos(1) / options.rate();
            String padding = "x".repeat(Math.max(0, options.payload() - 40));
            for (int s = 0; s < senderCount; s++) {
                Sender sender = new Sender(clients.get(s), s, padding);
                senders.scheduleAtFixedRate(sender, period * s / senderCount, period, TimeUnit.NANOSECONDS);
            }
        }
        Thread.sleep(options.warmupSeconds() * 1000L);
        ServerProcessStats before = ServerProcessStats.read(options.pid());
        ServerProcessStats selfBefore = ServerProcessStats.self();
        long start = System.nanoTime();
        measureFrom = start;
        measureUntil = start + TimeUnit.SECONDS.toNanos(options.measureSeconds());
        Thread.sleep(options.measureSeconds() * 1000L);
        ServerProcessStats after = ServerProcessStats.read(options.pid());
        ServerProcessStats self = ServerProcessStats.self().minus(selfBefore);
        senders.shutdownNow();
        Thread.sleep(3000); // messages still on their way count, as long as they arrive
        ServerProcessStats end = ServerProcessStats.read(options.pid());

        long sent = sentMeasured.get();
        long expected = sent * clients.size();
        long delivered = received.sum();
        Histogram h = latency.copy();
        ServerProcessStats cpu = after.minus(before);
        double perDeliveryUs = delivered == 0 ? 0 : 1000.0 * (cpu.userMillis() + cpu.systemMillis()) / delivered;
        double userUs = delivered == 0 ? 0 : 1000.0 * cpu.userMillis() / delivered;
        double sysUs = delivered == 0 ? 0 : 1000.0 * cpu.systemMillis() / delivered;
        double kbPerConnection = clients.isEmpty() ? 0 : (double) (connected.rssKb() - idle.rssKb()) / clients.size();
        boolean saturated = sent > 0 && (delivered < expected * 0.999
                || h.getValueAtPercentile(99) > TimeUnit.MILLISECONDS.toNanos(options.sloMillis()));

        Map<String, Object> row = new LinkedHashMap<>();
        row.put("run", options.run());
        row.put("label", options.label());
        row.put("clients", options.clients());
        row.put("senders", senderCount);
        row.put("rate", options.rate());
        row.put("payload", options.payload());
        row.put("names", options.names());
        row.put("opened", clients.size());
        row.put("failed", failed);
        row.put("sent", sent);
        row.put("expected", expected);
        row.put("received", delivered);
        row.put("duplicates", duplicates.sum());
        row.put("gaps", gaps.sum());
        row.put("deliveries_per_s", Math.round(delivered / (double) options.measureSeconds()));
        row.put("p50_ms", ms(h.getValueAtPercentile(50)));
        row.put("p90_ms", ms(h.getValueAtPercentile(90)));
        row.put("p99_ms", ms(h.getValueAtPercentile(99)));
        row.put("max_ms", ms(h.getMaxValue()));
        row.put("cpu_user_ms", cpu.userMillis());
        row.put("cpu_sys_ms", cpu.systemMillis());
        row.put("cpu_us_per_delivery", String.format(Locale.ROOT, "%.3f", perDeliveryUs));
        row.put("user_us_per_delivery", String.format(Locale.ROOT, "%.3f", userUs));
        row.put("sys_us_per_delivery", String.format(Locale.ROOT, "%.3f", sysUs));
        row.put("rss_idle_kb", idle.rssKb());
        row.put("rss_connected_kb", connected.rssKb());
        row.put("rss_end_kb", end.rssKb());
        row.put("kb_per_connection", String.format(Locale.ROOT, "%.2f", kbPerConnection));
        row.put("rss_gc", gc);
        // above about 150 % of 2 cores the generator competes with the server for CPU
        row.put("generator_cpu_pct", Math.round(100.0 * self.cpuMillis() / (options.measureSeconds() * 1000.0)));
        row.put("saturated", saturated);
        report(row);
        for (Client c : clients) {
            c.socket.abort();
        }
    }

    /** The server's CPU and RSS now; with {@code gc}, RSS after a full GC, so garbage is not counted as memory per connection. */
    private ServerProcessStats sample(boolean gc) throws IOException, InterruptedException {
        if (gc) {
            ServerProcessStats.fullGc(options.pid());
        }
        return ServerProcessStats.read(options.pid());
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    private void report(Map<String, Object> row) throws IOException {
        StringBuilder human = new StringBuilder();
        row.forEach((k, v) -> human.append(String.format(Locale.ROOT, "%-22s %s%n", k, v)));
        System.out.print(human);
        if (options.csv() != null) {
            Path csv = Path.of(options.csv());
            if (!Files.exists(csv)) {
                Files.writeString(csv, String.join(",", row.keySet()) + "\n");
            }
            List<String> values = new ArrayList<>();
            row.values().forEach(v -> values.add(String.valueOf(v)));
            Files.writeString(csv, String.join(",", values) + "\n", StandardOpenOption.APPEND);
        }
    }

    /** Opens the connections at a bounded rate, and waits for each. */
    private List<Client> connectAll() throws InterruptedException {
        List<HttpClient> https = new ArrayList<>();
        List<CompletableFuture<Client>> pending = new ArrayList<>();
        long pause = TimeUnit.SECONDS.toNanos(1) / Math.max(1, options.connectRate());
        for (int i = 0; i < options.clients(); i++) {
            if (i % CONNECTIONS_PER_HTTP_CLIENT == 0) {
                https.add(HttpClient.newHttpClient());
            }
            Client client = new Client(options.senders());
            URI uri = URI.create(options.url() + (options.url().contains("?") ? "&" : "?") + "user=bench" + (i % options.names()) + "&room=bench");
            pending.add(https.get(https.size() - 1).newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(30))
                    .buildAsync(uri, client)
                    .thenApply(ws -> {
                        client.socket = ws;
                        return client;
                    }));
            TimeUnit.NANOSECONDS.sleep(pause);
        }
        List<Client> open = new ArrayList<>();
        for (CompletableFuture<Client> f : pending) {
            try {
                open.add(f.get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                // counted as failed
            }
        }
        return open;
    }

    /** Sends one message per tick; only messages sent in the measured window are expected. */
    private final class Sender implements Runnable {
        private final Client client;
        private final int id;
        private final String padding;
        private long seq;
        private CompletableFuture<WebSocket> last = CompletableFuture.completedFuture(null);

        Sender(Client client, int id, String padding) {
            this.client = client;
            this.id = id;
            this.padding = padding;
        }

        @Override
        public void run() {
            if (!last.isDone()) {
                return; // the previous send is still queued: the client, not the server, is behind
            }
            long now = System.nanoTime();
            long n = seq++;
            if (now >= measureFrom && now < measureUntil) {
                sentMeasured.incrementAndGet();
            }
            last = client.socket.sendText("{\"type\":\"chat\",\"msg\":\"b|" + id + "|" + n + "|" + now + "|" + padding + "\"}", true);
        }
    }

    /** One connection's listener: counts and times what arrives. Callbacks for one socket never overlap. */
    private final class Client implements WebSocket.Listener {
        private final long[] lastSeq;
        private final StringBuilder partial = new StringBuilder();
        volatile WebSocket socket;

        Client(int senders) {
            lastSeq = new long[Math.max(senders, 1)];
            java.util.Arrays.fill(lastSeq, -1);
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            CharSequence text = data;
            if (!last || partial.length() > 0) {
                partial.append(data);
                text = partial;
            }
            if (last) {
                record(text.toString(), now);
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private void record(String text, long now) {
            int at = text.indexOf(MARK);
            if (at < 0) {
                return; // welcome, join, leave
            }
            int p = at + MARK.length();
            int a = text.indexOf('|', p);
            int b = text.indexOf('|', a + 1);
            int c = text.indexOf('|', b + 1);
            int sender = Integer.parseInt(text, p, a, 10);
            long seq = Long.parseLong(text, a + 1, b, 10);
            long sentAt = Long.parseLong(text, b + 1, c, 10);
            if (sender < lastSeq.length) {
                long previous = lastSeq[sender];
                if (seq <= previous) {
                    duplicates.increment();
                    return;
                }
                if (previous >= 0 && seq > previous + 1) {
                    gaps.add(seq - previous - 1);
                }
                lastSeq[sender] = seq;
            }
            if (sentAt >= measureFrom && sentAt < measureUntil) {
                received.increment();
                latency.recordValue(Math.max(0, now - sentAt));
            }
        }
    }
}

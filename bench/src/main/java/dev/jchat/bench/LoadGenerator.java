package dev.jchat.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p>With several servers on one chat (one Redis), client i connects to the (i mod n)-th, so
 * senders and receivers are spread over all of them, and all are in one room. Then each server's
 * CPU is divided by the deliveries made to its own clients, and the {@code id} the chat gives
 * every message is checked too: each client must see the ids one after another with none
 * skipped or repeated, and every client must see the same message under the same id.
 */
public final class LoadGenerator {

    /**
     * What every bench connection presents as its name's key: the first to use a name claims it
     * with this key on a server that holds names (protocol version 2), and the others prove it.
     * Servers without claimed names ignore it.
     */
    static final String BENCH_KEY = "&key=bench-key";

    private static final int CONNECTIONS_PER_HTTP_CLIENT = 250; // each HttpClient has one selector thread
    private static final String MARK = "\"msg\":\"b|";
    private static final String ID_KEY = "\"id\":";

    private final Options options;
    private final ConcurrentHistogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final LongAdder received = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder gaps = new LongAdder();
    private final LongAdder[] receivedBy;                 // per server: deliveries to its clients
    private final LongAdder idRepeats = new LongAdder();  // an id at or below the last one a client saw
    private final LongAdder idGaps = new LongAdder();     // ids a client skipped
    private final LongAdder idConflicts = new LongAdder(); // an id that named another message for another client
    private final LongAdder errors = new LongAdder();     // error frames (e.g. unavailable: not published)
    private final LongAdder leaves = new LongAdder();     // leave frames: nobody leaves before the end
    private final ConcurrentMap<Long, Long> messageOfId = new ConcurrentHashMap<>(); // id -> sender << 32 | seq
    private final AtomicLong sentMeasured = new AtomicLong();
    private volatile long measureFrom = Long.MAX_VALUE;
    private volatile long measureUntil = Long.MAX_VALUE;
    /** With --timeline: latencies by the second (of sending) their message was sent in. */
    private final Histogram[] timeline;
    private volatile long sendingFrom = Long.MAX_VALUE;
    private String connectError = "";
    /** With --reactions: the id of the message reacted to, once a client saw it (0 until then). */
    private volatile long target;
    /** With --reactions: when each sender sent its n-th reaction, to time the frames that tell of it. */
    private final java.util.concurrent.atomic.AtomicLongArray[] reactionSent;

    private LoadGenerator(Options options) {
        this.options = options;
        this.receivedBy = new LongAdder[options.urls().size()];
        int perSender = options.rate() * (options.warmupSeconds() + options.measureSeconds() + 2) + 16;
        this.reactionSent = new java.util.concurrent.atomic.AtomicLongArray[options.reactions() ? options.senders() : 0];
        for (int i = 0; i < reactionSent.length; i++) {
            reactionSent[i] = new java.util.concurrent.atomic.AtomicLongArray(perSender);
        }
        this.timeline = new Histogram[options.timeline() ? options.warmupSeconds() + options.measureSeconds() + 1 : 0];
        for (int i = 0; i < timeline.length; i++) {
            timeline[i] = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 2);
        }
        for (int i = 0; i < receivedBy.length; i++) {
            receivedBy[i] = new LongAdder();
        }
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
        boolean gc = options.gcSamples() && allJvms();
        long idleRss = memory(gc).rssKb();
        List<Client> clients = connectAll();
        long failed = options.clients() - clients.size();
        long welcomed = awaitWelcomes(clients);
        // run-idle.sh waits for this line before it samples the server's memory
        System.out.printf(Locale.ROOT, "ready opened=%d welcomed=%d rooms_per_connection=%d%n",
                clients.size(), welcomed, options.roomsPerConnection());
        System.out.flush();
        Thread.sleep(2000); // let the welcomes and joins settle before measuring memory
        ServerHeap connected = memory(gc);
        long connectedRss = connected.rssKb();

        if (options.reactions() && !clients.isEmpty()) {
            awaitTarget(clients.get(0));
        }
        ScheduledExecutorService senders = Executors.newScheduledThreadPool(2);
        int senderCount = Math.min(options.senders(), clients.size());
        if (options.rate() > 0 && senderCount > 0) {
            long period = TimeUnit.SECONDS.toNanos(1) / options.rate();
            String padding = "x".repeat(Math.max(0, options.payload() - 40));
            sendingFrom = System.nanoTime();
            for (int s = 0; s < senderCount; s++) {
                Sender sender = new Sender(clients.get(s), s, padding);
                senders.scheduleAtFixedRate(sender, period * s / senderCount, period, TimeUnit.NANOSECONDS);
            }
        }
        Thread.sleep(options.warmupSeconds() * 1000L);
        // The window is set before it opens: a sender that stamps a message inside it then always
        // counts it as sent (set at its start, a preempted main thread let messages be received
        // that were never counted as sent).
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        measureUntil = start + TimeUnit.SECONDS.toNanos(options.measureSeconds());
        measureFrom = start;
        TimeUnit.NANOSECONDS.sleep(start - System.nanoTime());
        List<ServerProcessStats> before = readServers();
        ServerProcessStats redisBefore = ServerProcessStats.readWithChildren(options.redisPid());
        ServerProcessStats selfBefore = ServerProcessStats.self();
        long machineBefore = ServerProcessStats.machineBusyMillis();
        Thread.sleep(options.measureSeconds() * 1000L);
        List<ServerProcessStats> after = readServers();
        ServerProcessStats redis = ServerProcessStats.readWithChildren(options.redisPid()).minus(redisBefore);
        ServerProcessStats self = ServerProcessStats.self().minus(selfBefore);
        long machine = ServerProcessStats.machineBusyMillis() - machineBefore;
        senders.shutdownNow();
        Thread.sleep(3000); // messages still on their way count, as long as they arrive
        long lateUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.lateSeconds() - 3);
        while (received.sum() < sentMeasured.get() * clients.size() && System.nanoTime() < lateUntil) {
            Thread.sleep(100); // --late: a point past its capacity may still deliver everything, late
        }
        // Still connected, nothing on its way: a heap larger than before the load is what the
        // deliveries left behind (a room's history holds its last CHAT_HISTORY_SIZE messages).
        ServerHeap end = memory(gc);

        long sent = sentMeasured.get();
        long expected = sent * clients.size();
        long delivered = received.sum();
        Histogram h = latency.copy();
        ServerProcessStats cpu = new ServerProcessStats(0, 0, 0);
        List<String> perDeliveryByServer = new ArrayList<>();
        List<String> cpuPctByServer = new ArrayList<>();
        List<String> deliveredByServer = new ArrayList<>();
        for (int i = 0; i < after.size(); i++) {
            ServerProcessStats own = after.get(i).minus(before.get(i));
            cpu = new ServerProcessStats(cpu.userMillis() + own.userMillis(), cpu.systemMillis() + own.systemMillis(), 0);
            long mine = receivedBy[i].sum();
            perDeliveryByServer.add(String.format(Locale.ROOT, "%.3f", mine == 0 ? 0 : 1000.0 * own.cpuMillis() / mine));
            cpuPctByServer.add(Long.toString(Math.round(100.0 * own.cpuMillis() / (options.measureSeconds() * 1000.0))));
        }
        for (LongAdder mine : receivedBy) {
            deliveredByServer.add(Long.toString(mine.sum()));
        }
        double perDeliveryUs = delivered == 0 ? 0 : 1000.0 * (cpu.userMillis() + cpu.systemMillis()) / delivered;
        double userUs = delivered == 0 ? 0 : 1000.0 * cpu.userMillis() / delivered;
        double sysUs = delivered == 0 ? 0 : 1000.0 * cpu.systemMillis() / delivered;
        double kbPerConnection = clients.isEmpty() ? 0 : (double) (connectedRss - idleRss) / clients.size();
        // a point where the server did not take every connection did not hold either
        boolean saturated = failed > 0 || sent > 0 && (delivered < expected * 0.999
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
        row.put("connect_error", connectError.replaceAll("[,\\s]+", " ")); // the first reason, if any failed
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
        row.put("rss_idle_kb", idleRss);
        row.put("rss_connected_kb", connectedRss);
        row.put("rss_end_kb", end.rssKb());
        row.put("heap_connected_kb", gc ? connected.usedKb() : "-");
        row.put("heap_end_kb", gc ? end.usedKb() : "-");
        row.put("heap_retained_kb", gc ? end.usedKb() - connected.usedKb() : "-");
        row.put("kb_per_connection", String.format(Locale.ROOT, "%.2f", kbPerConnection));
        row.put("rss_gc", gc);
        // above about 150 % of 2 cores the generator competes with the server for CPU
        row.put("generator_cpu_pct", Math.round(100.0 * self.cpuMillis() / (options.measureSeconds() * 1000.0)));
        row.put("saturated", saturated);
        // several servers on one chat: each one's share, the ids the chat gave, and Redis' own CPU
        row.put("servers", options.urls().size());
        row.put("published_per_s", Math.round(sent / (double) options.measureSeconds()));
        row.put("id_repeats", idRepeats.sum());
        row.put("id_gaps", idGaps.sum());
        row.put("id_conflicts", idConflicts.sum());
        row.put("errors", errors.sum());
        row.put("leaves", leaves.sum());
        row.put("delivered_by_server", String.join(";", deliveredByServer));
        row.put("cpu_us_per_delivery_by_server", String.join(";", perDeliveryByServer));
        row.put("server_cpu_pct_by_server", String.join(";", cpuPctByServer));
        row.put("redis_cpu_ms", redis.cpuMillis());
        row.put("redis_cpu_pct", Math.round(100.0 * redis.cpuMillis() / (options.measureSeconds() * 1000.0)));
        row.put("redis_us_per_message", String.format(Locale.ROOT, "%.3f", sent == 0 ? 0 : 1000.0 * redis.cpuMillis() / sent));
        // what the machine as a whole was busy with (100 % = one core): the rest is other work on it
        row.put("machine_cpu_pct", Math.round(100.0 * machine / (options.measureSeconds() * 1000.0)));
        long others = machine - cpu.cpuMillis() - redis.cpuMillis() - self.cpuMillis();
        row.put("other_cpu_pct", Math.max(0, Math.round(100.0 * others / (options.measureSeconds() * 1000.0))));
        // --rooms-per-connection: rooms each connection asked for, and how many connections got all their welcomes
        row.put("rooms_per_connection", options.roomsPerConnection());
        row.put("welcomed", welcomed);
        row.put("reactions", options.reactions());
        report(row);
        printTimeline();
        for (Client c : clients) {
            c.socket.abort();
        }
    }

    /** With --timeline: one line per second of sending, the measured window marked. */
    private void printTimeline() {
        if (timeline.length > 0) {
            System.out.println("timeline: second, deliveries, p50_ms, p99_ms, max_ms (* = measured)");
        }
        for (int i = 0; i < timeline.length; i++) {
            Histogram h = timeline[i];
            System.out.printf(Locale.ROOT, "%3d%s %8d %9s %9s %9s%n", i, i >= options.warmupSeconds() ? "*" : " ",
                    h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()));
        }
    }

    /**
     * The servers' RSS now, summed; with {@code gc} (all are JVMs), after a full GC, so garbage is
     * not counted as memory, and with their heap in use too.
     */
    private ServerHeap memory(boolean gc) throws IOException, InterruptedException {
        long used = 0;
        long committed = 0;
        long rss = 0;
        for (long pid : options.pids()) {
            ServerHeap heap = gc ? ServerHeap.afterFullGc(pid) : null;
            if (heap == null) {
                rss += ServerProcessStats.read(pid).rssKb();
            } else {
                used += heap.usedKb();
                committed += heap.committedKb();
                rss += heap.rssKb();
            }
        }
        return new ServerHeap(used, committed, rss);
    }

    private boolean allJvms() throws IOException {
        for (long pid : options.pids()) {
            if (!ServerProcessStats.isJvm(pid)) {
                return false;
            }
        }
        return !options.pids().isEmpty();
    }

    /** Each server's CPU and RSS now, in the order of {@code --pid}; none without it. */
    private List<ServerProcessStats> readServers() throws IOException {
        List<ServerProcessStats> stats = new ArrayList<>();
        for (long pid : options.pids()) {
            stats.add(ServerProcessStats.read(pid));
        }
        return stats;
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
            int server = i % options.urls().size();
            String url = options.urls().get(server);
            Client client = new Client(options.senders(), server);
            URI uri = URI.create(url + (url.contains("?") ? "&" : "?") + "user=bench" + (i % options.names()) + "&room=bench"
                    + BENCH_KEY + (options.roomsPerConnection() > 0 || options.reactions() ? "&v=3" : ""));
            pending.add(https.get(https.size() - 1).newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(30))
                    .buildAsync(uri, client)
                    .thenCompose(ws -> {
                        client.socket = ws;
                        return subscribe(ws, 2);
                    })
                    .thenApply(ws -> client));
            TimeUnit.NANOSECONDS.sleep(pause);
        }
        List<Client> open = new ArrayList<>();
        Map<String, Integer> why = new LinkedHashMap<>();
        for (CompletableFuture<Client> f : pending) {
            try {
                open.add(f.get(60, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                why.merge(reason(e.getCause()), 1, Integer::sum); // counted as failed, and why
            } catch (TimeoutException e) {
                why.merge("no answer in 60 s", 1, Integer::sum);
            }
        }
        why.forEach((reason, count) -> System.err.printf(Locale.ROOT, "%d connections failed: %s%n", count, reason));
        connectError = why.isEmpty() ? "" : why.keySet().iterator().next();
        return open;
    }

    /**
     * With --rooms-per-connection N, subscribes to rooms bench-FROM .. bench-N, one send after the
     * other (a JDK WebSocket takes one send at a time); right after the open, without waiting for
     * the first welcome, as the protocol allows. Completes when the last one is sent.
     */
    private CompletableFuture<WebSocket> subscribe(WebSocket ws, int from) {
        if (from > options.roomsPerConnection()) {
            return CompletableFuture.completedFuture(ws);
        }
        return ws.sendText("{\"type\":\"subscribe\",\"room\":\"bench-" + from + "\"}", true)
                .thenCompose(sent -> subscribe(ws, from + 1));
    }

    /**
     * With --rooms-per-connection N: waits until every client has its N welcomes (or the deadline,
     * a minute plus a second per 1000 subscriptions) and returns how many have; without it, 0.
     */
    private long awaitWelcomes(List<Client> clients) throws InterruptedException {
        int rooms = options.roomsPerConnection();
        if (rooms == 0) {
            return 0;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60 + (long) clients.size() * rooms / 1000);
        long welcomed;
        while ((welcomed = clients.stream().filter(c -> c.welcomes.get() >= rooms).count()) < clients.size()
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (welcomed < clients.size()) {
            System.err.printf(Locale.ROOT, "%d of %d connections did not get their %d welcomes (errors: %d)%n",
                    clients.size() - welcomed, clients.size(), rooms, errors.sum());
        }
        return welcomed;
    }

    /** With --reactions: writes the message everyone reacts to, and waits until a client saw its id. */
    private void awaitTarget(Client writer) throws InterruptedException, ExecutionException {
        writer.socket.sendText("{\"type\":\"chat\",\"msg\":\"react to this\"}", true).get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (target == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (target == 0) {
            throw new IllegalStateException("the message to react to never came back");
        }
    }

    /** Why a connection did not open; for a refused upgrade, with the server's status. */
    private static String reason(Throwable error) {
        if (error instanceof WebSocketHandshakeException refused && refused.getResponse() != null) {
            return "handshake answered with HTTP " + refused.getResponse().statusCode();
        }
        return String.valueOf(error);
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
            if (options.reactions() && n >= reactionSent[id].length()) {
                return; // past what was sized for: the run is over
            }
            if (now >= measureFrom && now < measureUntil) {
                sentMeasured.incrementAndGet();
            }
            if (options.reactions()) {
                // its own reaction, on and off in turn: each one an entry of the log, each told to every client
                reactionSent[id].set((int) n, now);
                last = client.socket.sendText("{\"type\":\"react\",\"id\":" + target
                        + ",\"emoji\":\"\uD83D\uDC4D\",\"on\":" + (n % 2 == 0) + "}", true);
                return;
            }
            last = client.socket.sendText("{\"type\":\"chat\",\"msg\":\"b|" + id + "|" + n + "|" + now + "|" + padding + "\"}", true);
        }
    }

    /** One connection's listener: counts and times what arrives. Callbacks for one socket never overlap. */
    private final class Client implements WebSocket.Listener {
        private final long[] lastSeq;
        private final int server;
        private final StringBuilder partial = new StringBuilder();
        private long lastId = -1;
        /** Welcome frames received: one per room with --rooms-per-connection (read by the main thread). */
        final AtomicInteger welcomes = new AtomicInteger();
        volatile WebSocket socket;

        Client(int senders, int server) {
            lastSeq = new long[Math.max(senders, 1)];
            java.util.Arrays.fill(lastSeq, -1);
            this.server = server;
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
            if (options.reactions()) {
                recordReaction(text, now);
                return;
            }
            int at = text.indexOf(MARK);
            if (at < 0) {
                if (text.contains("\"type\":\"welcome\"")) {
                    welcomes.incrementAndGet();
                } else if (text.contains("\"type\":\"error\"")) {
                    errors.increment();
                } else if (text.contains("\"type\":\"leave\"")) {
                    leaves.increment();
                }
                return; // welcome, join, leave
            }
            int p = at + MARK.length();
            int a = text.indexOf('|', p);
            int b = text.indexOf('|', a + 1);
            int c = text.indexOf('|', b + 1);
            int sender = Integer.parseInt(text, p, a, 10);
            long seq = Long.parseLong(text, a + 1, b, 10);
            long sentAt = Long.parseLong(text, b + 1, c, 10);
            checkId(text, ((long) sender << 32) | seq);
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
            int second = (int) ((sentAt - sendingFrom) / 1_000_000_000L);
            if (sentAt >= sendingFrom && second < timeline.length) {
                timeline[second].recordValue(Math.max(0, now - sentAt));
            }
            if (sentAt >= measureFrom && sentAt < measureUntil) {
                received.increment();
                receivedBy[server].increment();
                latency.recordValue(Math.max(0, now - sentAt));
            }
        }

        /**
         * With --reactions: the n-th reaction frame of a sender's name is its n-th reaction (a
         * sender's frames keep their order), timed from when it was sent; the first chat frame
         * names the message reacted to.
         */
        private void recordReaction(String text, long now) {
            if (!text.contains("\"type\":\"reaction\"")) {
                if (text.contains("\"type\":\"chat\"") && target == 0) {
                    target = id(text);
                } else if (text.contains("\"type\":\"error\"")) {
                    errors.increment();
                } else if (text.contains("\"type\":\"leave\"")) {
                    leaves.increment();
                }
                return;
            }
            int at = text.indexOf("\"user\":\"bench");
            if (at < 0) {
                return;
            }
            int from = at + "\"user\":\"bench".length();
            int to = text.indexOf('"', from);
            int sender = Integer.parseInt(text, from, to, 10);
            if (sender >= reactionSent.length) {
                return;
            }
            long seq = ++lastSeq[sender];
            checkId(text, ((long) sender << 32) | seq);
            if (text.contains("\"on\":" + (seq % 2 == 0)) == false) {
                gaps.increment(); // a reaction of this sender's went missing: the ones after it are off by one
            }
            long sentAt = reactionSent[sender].get((int) Math.min(seq, reactionSent[sender].length() - 1));
            int second = (int) ((sentAt - sendingFrom) / 1_000_000_000L);
            if (sentAt >= sendingFrom && second < timeline.length) {
                timeline[second].recordValue(Math.max(0, now - sentAt));
            }
            if (sentAt >= measureFrom && sentAt < measureUntil) {
                received.increment();
                receivedBy[server].increment();
                latency.recordValue(Math.max(0, now - sentAt));
            }
        }

        /**
         * The chat's id, when the server gives one (the reference does not): each client sees the
         * ids one after another, and every client the same message under the same id.
         */
        private void checkId(String text, long message) {
            long id = id(text);
            if (id < 0) {
                return;
            }
            if (id <= lastId) {
                idRepeats.increment();
            } else {
                if (lastId >= 0 && id > lastId + 1) {
                    idGaps.add(id - lastId - 1);
                }
                lastId = id;
            }
            Long first = messageOfId.putIfAbsent(id, message);
            if (first != null && first != message) {
                idConflicts.increment();
            }
        }
    }

    /** The frame's top-level {@code "id":N}, or -1. Inside a JSON string a quote is escaped, so a key follows { or , unescaped. */
    private static long id(String text) {
        int at = text.indexOf(ID_KEY);
        while (at > 0 && text.charAt(at - 1) != '{' && text.charAt(at - 1) != ',') {
            at = text.indexOf(ID_KEY, at + 1);
        }
        if (at < 0) {
            return -1;
        }
        int from = at + ID_KEY.length();
        int to = from;
        while (to < text.length() && Character.isDigit(text.charAt(to))) {
            to++;
        }
        return to == from ? -1 : Long.parseLong(text, from, to, 10);
    }
}

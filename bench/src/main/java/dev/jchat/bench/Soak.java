package dev.jchat.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soak: many members in one room for minutes, a few of them sending so the room delivers a
 * steady rate, some dropping and resuming with {@code since}, one stalled reader and one hostile
 * client among them. Every member checks that it got every message once and in order across its
 * resumes; the report also gives how connections ended and the server's heap after a full GC
 * before and after. Exits 1 when a delivery was lost, duplicated or out of order, a hostile frame
 * reached anyone, or not every member could join. Loopback only; bounded in connections and time.
 */
public final class Soak {

    private static final String ROOM = "soak";
    private static final String HOSTILE = "hostile";
    private static final String STALLED = "stalled-reader";
    private static final int CONNECTIONS_PER_HTTP_CLIENT = 250; // each HttpClient has one selector thread
    private static final Duration HOSTILE_EVERY = Duration.ofSeconds(30);
    private static final Duration PING_EVERY = Duration.ofSeconds(25); // as the page does
    private static final String PING = "{\"type\":\"ping\"}";
    private static final Duration SETTLE = Duration.ofSeconds(65); // past the server's default idle timeout
    private static final Duration RESUME_MARGIN = Duration.ofSeconds(10); // a resume started before the end finishes before it

    private final SoakOptions options;
    private final Random random;
    private final String roomUrl;
    private final Findings findings = new Findings(STALLED);
    private final List<SoakClient> clients = new ArrayList<>();

    private Soak(SoakOptions options) {
        this.options = options;
        this.random = new Random(options.seed());
        this.roomUrl = options.url() + "?room=" + ROOM;
    }

    public static void main(String[] args) throws Exception {
        SoakOptions options;
        try {
            options = SoakOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(SoakOptions.USAGE);
            System.exit(2);
            return;
        }
        int status = new Soak(options).run();
        System.exit(status); // the JDK's WebSocket threads are not daemons
    }

    private int run() throws Exception {
        ServerHeap idle = ServerHeap.afterFullGc(options.pid());
        int joined = connectAll();
        Thread.sleep(3000); // the join announcements settle before the heap is measured
        ServerHeap start = ServerHeap.afterFullGc(options.pid());
        long firstLastId = clients.get(0).read(Ledger::firstLastId);

        Activity activity = soak();

        Thread.sleep(2000); // the last messages on their way
        long lastId = audit();
        awaitDeliveries(lastId, Duration.ofSeconds(30));
        activity.stalled.drain();
        Outcome outcome = tallyLedgers(lastId);

        finishAll();
        Thread.sleep(2000); // the leaves go out and the sessions are released
        ServerHeap finish = ServerHeap.afterFullGc(options.pid());
        // Tyrus re-arms a session's idle timer on every frame and a cancelled timer stays queued
        // until it would have run: only past the idle timeout (default 60 s) is that garbage gone.
        Thread.sleep(SETTLE.toMillis());
        ServerHeap settled = ServerHeap.afterFullGc(options.pid());

        Lines report = new Lines();
        report.line("clients", options.clients());
        report.line("minutes", options.minutes());
        report.line("seed", options.seed());
        report.line("clients_joined", joined + " of " + options.clients());
        report.line("senders", options.senders() + String.format(Locale.ROOT, " (%.2f messages/s in total)", options.messagesPerSecond()));
        report.line("messages_sent", activity.sending.sent + " (failed: " + activity.sending.failed.sum()
                + ", skipped while one was pending: " + activity.sending.skipped + ")");
        report.line("messages_published", lastId < 0 ? "unknown: the audit could not join"
                : lastId - firstLastId + " (delivered to nobody: " + undelivered(firstLastId, lastId) + ")");
        report.line("deliveries_expected", outcome.expected);
        report.line("deliveries_received", outcome.received);
        report.line("deliveries_per_s", Math.round(outcome.received / activity.seconds));
        report.line("lost", outcome.expected - outcome.received);
        report.line("duplicated", outcome.duplicates);
        report.line("out_of_order", outcome.outOfOrder);
        report.line("corrupted", findings.corrupted.sum());
        report.line("malformed_frames", findings.malformed.sum());
        report.line("hostile_leaked", findings.leaks.sum());
        report.line("resumers", options.resumers());
        report.line("resumes_done", findings.resumes.sum());
        report.line("resumes_recovered", findings.resumesRecovered.sum());
        report.line("resumes_failed", findings.resumesFailed.sum());
        report.line("unplanned_reconnects", findings.unplannedReconnects.sum() + " (gave up: " + findings.gaveUp.sum() + ")");
        report.line("epoch_changes", findings.epochChanges.sum());
        report.tally("closed_by_server", findings.closedByServer);
        report.tally("client_errors", findings.clientErrors);
        activity.stalled.report().forEach(report::raw);
        activity.hostile.report().forEach(report::raw);
        report.line("heap_idle", idle == null ? "n/a (no --pid of a JVM)" : idle);
        report.line("heap_start", start == null ? "n/a" : start + " (after a full GC, everyone joined)");
        report.line("heap_end", finish == null ? "n/a" : finish + " (after a full GC, everyone left; the history stays)");
        report.line("heap_end_settled", settled == null ? "n/a" : settled + " (" + SETTLE.toSeconds() + " s later)");
        report.line("server_cpu_pct", Math.round(100.0 * activity.serverCpu.cpuMillis() / (activity.seconds * 1000)));
        // above about 100 % of 2 cores the generator itself competes with the server for CPU
        report.line("generator_cpu_pct", Math.round(100.0 * activity.selfCpu.cpuMillis() / (activity.seconds * 1000)));
        List<String> failures = failures(outcome, joined, lastId);
        report.line("result", failures.isEmpty() ? "PASS" : "FAIL: " + String.join(", ", failures));
        System.out.print(report);
        return failures.isEmpty() ? 0 : 1;
    }

    /** What ran during the soak, and what it cost. */
    private record Activity(Sending sending, StalledReader stalled, HostileClient hostile, double seconds,
            ServerProcessStats serverCpu, ServerProcessStats selfCpu) {
    }

    /**
     * The soak itself, once everyone has joined: the senders on a ticker, each resumer, the
     * stalled reader and the hostile client on threads of their own. Returns once it is over.
     */
    private Activity soak() throws IOException, InterruptedException {
        List<SoakClient> senders = clients.subList(clients.size() - options.senders(), clients.size());
        List<SoakClient> resumers = new ArrayList<>(clients.subList(0, clients.size() - senders.size()));
        Collections.shuffle(resumers, random);
        resumers = resumers.subList(0, options.resumers());

        long begin = System.nanoTime();
        long end = begin + (long) (options.minutes() * 60e9);
        ServerProcessStats serverBefore = ServerProcessStats.read(options.pid());
        ServerProcessStats selfBefore = ServerProcessStats.self();
        Sending sending = new Sending(senders, new Random(random.nextLong()));
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        ticker.scheduleAtFixedRate(sending, 0, (long) (1e9 / options.messagesPerSecond()), TimeUnit.NANOSECONDS);
        // The others only listen: like the page, they ping within the idle timeout, which counts
        // only what comes from the client (PROTOCOL.md); they never send anything else, so no
        // two sends overlap on one connection.
        List<SoakClient> listeners = clients.subList(0, clients.size() - senders.size());
        ticker.scheduleAtFixedRate(() -> listeners.forEach(c -> c.send(PING).exceptionally(e -> null)),
                PING_EVERY.toSeconds(), PING_EVERY.toSeconds(), TimeUnit.SECONDS);
        long progressEvery = (long) Math.min(60, Math.max(10, options.minutes() * 6));
        ticker.scheduleAtFixedRate(() -> progress(begin, sending, selfBefore), progressEvery, progressEvery, TimeUnit.SECONDS);

        List<Thread> threads = new ArrayList<>();
        for (SoakClient r : resumers) {
            Random own = new Random(random.nextLong());
            threads.add(start("resumer " + r.name(), () -> resumeRepeatedly(r, own, begin, end)));
        }
        StalledReader stalled = new StalledReader(roomUrl, STALLED, findings::watchedLeftAt);
        // It joins once the history holds a quarter of the run's messages, and should be dropped by mid-run.
        long quarter = (end - begin) / 4;
        threads.add(start("stalled reader", () -> {
            Thread.sleep(Math.max(0, (begin + quarter - System.nanoTime()) / 1_000_000));
            stalled.run(Duration.ofNanos(quarter), end);
        }));
        HostileClient hostile = new HostileClient(roomUrl, HOSTILE);
        threads.add(start("hostile", () -> hostile.run(end, HOSTILE_EVERY)));

        Thread.sleep(Math.max(0, (end - System.nanoTime()) / 1_000_000));
        ticker.shutdownNow();
        long joinBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a resume or hostile cycle under way ends well within this
        for (Thread t : threads) {
            t.join(Math.max(1, (joinBy - System.nanoTime()) / 1_000_000));
        }
        return new Activity(sending, stalled, hostile, (System.nanoTime() - begin) / 1e9,
                ServerProcessStats.read(options.pid()).minus(serverBefore), ServerProcessStats.self().minus(selfBefore));
    }

    private List<String> failures(Outcome outcome, int joined, long lastId) {
        List<String> failures = new ArrayList<>();
        if (outcome.expected != outcome.received) {
            failures.add("lost");
        }
        if (outcome.duplicates > 0) {
            failures.add("duplicated");
        }
        if (outcome.outOfOrder > 0) {
            failures.add("out of order");
        }
        if (findings.leaks.sum() > 0) {
            failures.add("hostile frames leaked");
        }
        if (joined < options.clients() || lastId < 0) {
            failures.add("not everyone could join");
        }
        return failures;
    }

    /** Opens every member at a bounded rate and waits for their welcomes; returns how many got in. */
    private int connectAll() throws InterruptedException {
        HttpClient http = null;
        List<CompletableFuture<Void>> welcomes = new ArrayList<>();
        long pause = TimeUnit.SECONDS.toNanos(1) / options.connectRate();
        for (int i = 0; i < options.clients(); i++) {
            if (i % CONNECTIONS_PER_HTTP_CLIENT == 0) {
                http = HttpClient.newHttpClient();
            }
            SoakClient client = new SoakClient(String.format(Locale.ROOT, "soak-%04d", i + 1), roomUrl, HOSTILE, http, findings);
            clients.add(client);
            welcomes.add(client.connect());
            TimeUnit.NANOSECONDS.sleep(pause);
        }
        int joined = 0;
        for (CompletableFuture<Void> welcome : welcomes) {
            try {
                welcome.get(60, TimeUnit.SECONDS);
                joined++;
            } catch (Exception e) {
                // counted as not joined
            }
        }
        return joined;
    }

    /** One resumer's life: drops and resumes at random moments, about six times over the soak. */
    private void resumeRepeatedly(SoakClient client, Random own, long begin, long end) throws InterruptedException {
        long mean = (end - begin) / 6;
        long stopAt = end - RESUME_MARGIN.toNanos();
        long next = begin + (long) (mean * (0.2 + own.nextDouble()));
        while (next < stopAt) {
            Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
            client.resume(own.nextBoolean(), Duration.ofMillis(500 + own.nextInt(4501)));
            next = System.nanoTime() + (long) (mean * (0.5 + own.nextDouble()));
        }
    }

    /** The room's lastId, as a member joining now is told it: the newest id anyone should have. -1 if it cannot join. */
    private long audit() {
        try (RawWebSocket ws = RawWebSocket.open(URI.create(roomUrl + "&user=auditor" + LoadGenerator.BENCH_KEY), 0, Duration.ofSeconds(10))) {
            long lastId = FlatJson.number(ws.awaitJson("welcome", Duration.ofSeconds(30)), "lastId");
            ws.sendClose(1000);
            return lastId;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("soak: the audit connection failed: " + e.getMessage());
            return -1;
        }
    }

    /** Waits until every member has seen {@code lastId}, or {@code wait} passed: what is still missing then is lost. */
    private void awaitDeliveries(long lastId, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline && clients.stream().anyMatch(c -> c.maxId() < lastId)) {
            Thread.sleep(200);
        }
    }

    /** Ids published in the soak that no member ever received: published, then lost for everyone. */
    private long undelivered(long firstLastId, long lastId) {
        long missing = 0;
        for (long id = firstLastId + 1; id <= lastId; id++) {
            if (!findings.delivered.contains(id)) {
                missing++;
            }
        }
        return missing;
    }

    private record Outcome(long expected, long received, long duplicates, long outOfOrder) {
    }

    private Outcome tallyLedgers(long lastId) {
        long expected = 0;
        long received = 0;
        long duplicates = 0;
        long outOfOrder = 0;
        for (SoakClient c : clients) {
            expected += c.read(l -> l.expected(lastId));
            received += c.read(l -> l.received(lastId));
            duplicates += c.read(Ledger::duplicates);
            outOfOrder += c.read(Ledger::outOfOrder);
        }
        return new Outcome(expected, received, duplicates, outOfOrder);
    }

    /** Every member leaves with a close frame; those the server does not answer within 15 s are aborted. */
    private void finishAll() {
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        clients.forEach(c -> closed.add(c.finish()));
        try {
            CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            // some did not close in time: aborted below
        }
        clients.forEach(SoakClient::abort);
    }

    private void progress(long begin, Sending sending, ServerProcessStats selfBefore) {
        try {
            double seconds = (System.nanoTime() - begin) / 1e9;
            long cpu = ServerProcessStats.self().minus(selfBefore).cpuMillis();
            System.err.printf(Locale.ROOT, "soak: %.1f of %.1f min, %d messages sent, %d resumes, %d closed by server,"
                            + " generator CPU %d %%%n", seconds / 60, options.minutes(), sending.sent,
                    findings.resumes.sum(), findings.closedByServer.total(), Math.round(cpu / (seconds * 10)));
        } catch (IOException e) {
            System.err.println("soak: progress unavailable: " + e.getMessage());
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private static Thread start(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                System.err.println("soak: " + name + " failed: " + e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Sends the room's messages: one per tick, from each sender in turn, never two at once from
     * one connection (the JDK client refuses overlapping sends). Runs on the ticker thread alone.
     */
    private static final class Sending implements Runnable {
        private final List<SoakClient> senders;
        private final Random random;
        private final CompletableFuture<?>[] pending;
        private final long[] seq;
        private int turn;
        final LongAdder failed = new LongAdder();
        volatile long sent;
        volatile long skipped;

        Sending(List<SoakClient> senders, Random random) {
            this.senders = senders;
            this.random = random;
            this.pending = new CompletableFuture<?>[senders.size()];
            this.seq = new long[senders.size()];
        }

        @Override
        public void run() {
            int i = turn++ % senders.size();
            if (pending[i] != null && !pending[i].isDone()) {
                skipped++;
                return;
            }
            SoakClient s = senders.get(i);
            pending[i] = s.send(SoakText.frame(random, s.name(), ++seq[i])).whenComplete((ws, error) -> {
                if (error != null) {
                    failed.increment();
                }
            });
            sent++;
        }
    }

    /** The report: {@code key value} lines, as the load generator prints them. */
    private static final class Lines {
        private final StringBuilder out = new StringBuilder();

        void line(String key, Object value) {
            out.append(String.format(Locale.ROOT, "%-22s %s%n", key, value));
        }

        void raw(String line) {
            out.append(line).append('\n');
        }

        void tally(String key, Tally tally) {
            Map<String, Long> counts = tally.snapshot();
            if (counts.isEmpty()) {
                line(key, "none");
            }
            counts.forEach((what, n) -> line(key, what + ": " + n));
        }

        @Override
        public String toString() {
            return out.toString();
        }
    }
}

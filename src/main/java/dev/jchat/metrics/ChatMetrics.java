package dev.jchat.metrics;

import dev.jchat.message.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * What one chat server counts, for {@code /metrics} in the Prometheus text format: its own
 * meters, and the JVM's and the process's. Each hub has its own registry, so two servers in one
 * JVM (two web applications, tests) count apart. Thread-safe.
 *
 * <p>The names as Prometheus shows them: {@code chat_connections}, {@code chat_rooms},
 * {@code chat_names_online}, {@code chat_messages_total}, {@code chat_deliveries_total},
 * {@code chat_refused_total{code}}, {@code chat_closed_total{code}},
 * {@code chat_send_seconds}, {@code chat_engine_seconds{op}} and
 * {@code chat_redis_subscription_stalls_total}; with the publish hook,
 * {@code chat_hook_outcomes_total{outcome}} and {@code chat_hook_seconds}; the HTTP API's calls,
 * {@code chat_api_calls_total{route,status}}; webhooks:
 * {@code chat_webhook_deliveries_total{outcome}} (each try: {@code delivered} or {@code failed}),
 * {@code chat_webhook_retries_total}, {@code chat_webhook_dropped_total{reason}} ({@code expired}
 * after the retry hours, {@code full}: the memory engine's bound) and {@code chat_webhook_backlog}.
 */
public final class ChatMetrics implements AutoCloseable {

    /** The close codes the server closes with, shown at 0 before the first. */
    private static final int[] CLOSE_CODES = {1001, 1003, 1008, 1009, 1011, 1013};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Counter messages;
    private final Counter deliveries;
    private final Timer send;
    private final Counter subscriptionStalls;
    private final Map<ErrorCode, Counter> refused = new EnumMap<>(ErrorCode.class); // every code, from the start
    private final Map<Integer, Counter> closed = new ConcurrentHashMap<>();
    private final Map<String, Timer> engine = new ConcurrentHashMap<>();
    private final Map<String, Counter> hookOutcomes = new ConcurrentHashMap<>();
    private final Timer hook;
    private final Map<String, Counter> api = new ConcurrentHashMap<>();
    private final Counter webhooksDelivered;
    private final Counter webhooksFailed;
    private final Counter webhookRetries;
    private final Map<String, Counter> webhooksDropped = new ConcurrentHashMap<>();
    private final AtomicReference<Supplier<Number>> webhookBacklog = new AtomicReference<>(() -> 0); // 0: webhooks off

    public ChatMetrics() {
        messages = Counter.builder("chat.messages").description("Chat messages published by this server's connections")
                .register(registry);
        deliveries = Counter.builder("chat.deliveries").description("Frames sent to clients")
                .register(registry);
        send = Timer.builder("chat.send").description("From a frame queued for a connection to its send completing")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        subscriptionStalls = Counter.builder("chat.redis.subscription.stalls")
                .description("Times the Redis subscription was found not delivering, and reconnected")
                .register(registry);
        hook = Timer.builder("chat.hook").description("From a message sent to the publish hook to its answer (or failure)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        for (ErrorCode code : ErrorCode.values()) {
            refused.put(code, Counter.builder("chat.refused").description("Error frames sent, by code")
                    .tag("code", code.wire()).register(registry));
        }
        for (int code : CLOSE_CODES) {
            closedCounter(code);
        }
        webhooksDelivered = webhookDeliveries("delivered");
        webhooksFailed = webhookDeliveries("failed");
        webhookRetries = Counter.builder("chat.webhook.retries").description("Webhook deliveries scheduled again after a failure")
                .register(registry);
        webhookDroppedCounter("expired");
        webhookDroppedCounter("full");
        Gauge.builder("chat.webhook.backlog", () -> webhookBacklog.get().get()).description("Webhook events not yet delivered")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /**
     * Shows the hub's state as gauges: open connections, rooms held here, and names with a
     * connection here. Each is read when scraped.
     */
    public void gauges(Supplier<Number> connections, Supplier<Number> rooms, Supplier<Number> namesOnline) {
        Gauge.builder("chat.connections", connections).description("Open connections").register(registry);
        Gauge.builder("chat.rooms", rooms).description("Rooms this server holds").register(registry);
        Gauge.builder("chat.names.online", namesOnline).description("Names with a connection to this server")
                .register(registry);
    }

    /** A chat message was published (numbered) for one of this server's connections. */
    public void published() {
        messages.increment();
    }

    /** A frame was sent to a connection; {@code queuedAt} is {@link System#nanoTime()} when it was queued. */
    public void delivered(long queuedAt, long now) {
        deliveries.increment();
        send.record(Math.max(0, now - queuedAt), TimeUnit.NANOSECONDS);
    }

    /** An error frame of this code went to a connection. */
    public void refused(ErrorCode code) {
        refused.get(code).increment();
    }

    /** The server closed a connection with this close code. */
    public void closed(int code) {
        closedCounter(code).increment();
    }

    /** Times one call to the engine (a Redis command or script) from {@code start}, a {@link System#nanoTime()}. */
    public void engineCall(String op, long start) {
        engine.computeIfAbsent(op, o -> Timer.builder("chat.engine").description("Calls to the shared engine, by operation")
                        .tag("op", o)
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofNanos(100_000))
                        .maximumExpectedValue(Duration.ofSeconds(5))
                        .register(registry))
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    /** The Redis subscription was found not delivering (a probe did not come back), and is reconnected. */
    public void subscriptionStalled() {
        subscriptionStalls.increment();
    }

    /**
     * The publish hook decided a message: {@code outcome} is {@code allow}, {@code replace},
     * {@code reject} or {@code failure-...}; {@code start} is when it was sent, a {@link System#nanoTime()}.
     */
    public void hookAnswered(String outcome, long start) {
        hook.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        hookOutcomes.computeIfAbsent(outcome, o -> Counter.builder("chat.hook.outcomes")
                .description("Messages the publish hook decided, by outcome").tag("outcome", o).register(registry))
                .increment();
    }

    /**
     * One call to the HTTP API answered: {@code route} its path's shape ({@code POST
     * /api/rooms/{room}/messages}, never a room's or a name's own text), {@code status} its answer's.
     */
    public void apiCall(String route, int status) {
        api.computeIfAbsent(route + ' ' + status, key -> Counter.builder("chat.api.calls")
                        .description("Calls to the HTTP API, by route and status").tag("route", route)
                        .tag("status", Integer.toString(status)).register(registry))
                .increment();
    }

    /** Shows how many webhook events wait: in this server's memory, or in Redis' stream. Read when scraped. */
    public void webhookBacklog(Supplier<Number> backlog) {
        webhookBacklog.set(backlog);
    }

    /** One try to deliver a webhook: taken (2xx within the timeout) or not. */
    public void webhookDelivery(boolean delivered) {
        (delivered ? webhooksDelivered : webhooksFailed).increment();
    }

    /** A webhook that failed was scheduled again. */
    public void webhookRetried() {
        webhookRetries.increment();
    }

    /** A webhook event was dropped: {@code expired} (not delivered within the retry hours) or {@code full}. */
    public void webhookDropped(String reason) {
        webhookDroppedCounter(reason).increment();
    }

    /** Every meter, in the Prometheus text format, version 0.0.4. */
    public String scrape() {
        return registry.scrape();
    }

    /** The media type of {@link #scrape()}. */
    public static String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }

    /** Stops listening to the JVM's garbage collections: a web application leaves nothing behind. */
    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    private Counter webhookDeliveries(String outcome) {
        return Counter.builder("chat.webhook.deliveries").description("Tries to deliver a webhook, by outcome")
                .tag("outcome", outcome).register(registry);
    }

    private Counter webhookDroppedCounter(String reason) {
        return webhooksDropped.computeIfAbsent(reason, r -> Counter.builder("chat.webhook.dropped")
                .description("Webhook events dropped, by reason").tag("reason", r).register(registry));
    }

    private Counter closedCounter(int code) {
        return closed.computeIfAbsent(code, c -> Counter.builder("chat.closed")
                .description("Connections the server closed, by close code").tag("code", Integer.toString(c))
                .register(registry));
    }
}

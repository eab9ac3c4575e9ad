package dev.jchat.webhook;

import dev.jchat.config.ChatConfig;
import dev.jchat.logging.Field;
import dev.jchat.logging.RepeatedEvents;
import dev.jchat.metrics.ChatMetrics;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Delivers webhook events an engine hands it: each lane's (a room's, a name's) in the order given,
 * one at a time, a failing event holding its lane's later ones while other lanes go on; retried
 * 1 s doubling to 5 min apart until {@code CHAT_WEBHOOK_RETRY_HOURS} after the event, then dropped
 * with a log line and a metric. At most {@link #MAX_IN_FLIGHT} requests at once and
 * {@link #capacity()} events held: past it {@link #offer} refuses, so that a receiver that is down
 * costs bounded memory (the memory engine drops the event, the Redis engine leaves it in Redis).
 * Its own thread ({@code chat-webhooks}) does the bookkeeping; the requests are asynchronous, so no
 * thread waits for an answer, and no caller ever waits for the network. Thread-safe.
 */
public final class Webhooks implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Webhooks.class.getName());
    /** Events held in memory at most, over every lane. */
    public static final int MAX_WAITING = 10_000;
    static final int MAX_IN_FLIGHT = 32;
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration LAST_RETRY = Duration.ofMinutes(5);

    /**
     * One event to deliver.
     *
     * @param lane  what it keeps its order in: {@link #room} or {@link #name}
     * @param since when it happened, ms since the epoch: it is retried until the retry hours after it
     * @param done  run once it was delivered or dropped (the Redis engine acknowledges it there)
     */
    public record Event(String id, String lane, long since, String body, Runnable done) {
    }

    /** The lane of a room's events. */
    public static String room(String room) {
        return "room " + room;
    }

    /** The lane of a name's {@code online} and {@code offline}. */
    public static String name(String user) {
        return "name " + user;
    }

    private final WebhookSender sender;
    private final long retryMillis;
    private final int capacity;
    private final ChatMetrics metrics;
    private final RepeatedEvents events;
    private final ScheduledThreadPoolExecutor thread;
    // guarded by this
    private final Map<String, Lane> lanes = new HashMap<>();
    private final ArrayDeque<Lane> ready = new ArrayDeque<>(); // lanes whose first event may go now
    private int waiting;
    private int inFlight;
    private long generation; // a clear() makes what was in flight before it count for nothing
    private boolean closed;

    /** A lane's events, oldest first; {@code scheduled} while it is ready, in flight or waiting for a retry. */
    private static final class Lane {
        final String key;
        final ArrayDeque<Event> events = new ArrayDeque<>();
        boolean scheduled;
        int failures;

        Lane(String key) {
            this.key = key;
        }
    }

    public Webhooks(ChatConfig config, ChatMetrics metrics, RepeatedEvents events, int capacity) {
        this.sender = new WebhookSender(config.webhookUrl(), config.webhookSecret());
        this.retryMillis = TimeUnit.HOURS.toMillis(config.webhookRetryHours());
        this.capacity = capacity;
        this.metrics = metrics;
        this.events = events;
        this.thread = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, "chat-webhooks");
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
    }

    /** Events held at most: past it {@link #offer} refuses. */
    public int capacity() {
        return capacity;
    }

    /** Events held now (waiting or in flight). */
    public synchronized int waiting() {
        return waiting;
    }

    /** Takes an event to deliver after those of its lane; false, taking nothing, when {@link #capacity()} are held. */
    public boolean offer(Event event) {
        synchronized (this) {
            if (closed || waiting >= capacity) {
                return false;
            }
            waiting++;
            Lane lane = lanes.computeIfAbsent(event.lane(), Lane::new);
            lane.events.add(event);
            if (!lane.scheduled) {
                lane.scheduled = true;
                ready.add(lane);
            }
        }
        execute(this::pump);
        return true;
    }

    /**
     * Forgets every event held, without running their {@code done}: the Redis engine's lease was
     * lost, and the next holder delivers them. Answers of requests in flight are ignored.
     */
    public synchronized void clear() {
        generation++;
        lanes.clear();
        ready.clear();
        waiting = 0;
        inFlight = 0;
    }

    /** Stops: nothing more is sent; what is held is forgotten (with Redis, it waits there). */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        clear();
        thread.shutdownNow();
    }

    private void pump() {
        List<Lane> going = new ArrayList<>();
        List<Event> heads = new ArrayList<>();
        long gen;
        synchronized (this) {
            gen = generation;
            while (!closed && inFlight < MAX_IN_FLIGHT && !ready.isEmpty()) {
                Lane lane = ready.poll();
                inFlight++;
                going.add(lane);
                heads.add(lane.events.peek());
            }
        }
        for (int i = 0; i < going.size(); i++) {
            Lane lane = going.get(i);
            Event event = heads.get(i);
            if (expired(event)) {
                // it waited out the retry hours behind its lane (or in Redis): dropped without a try, so
                // that a long backlog of expired events drains at once, not at the pace of a receiver's timeouts
                execute(() -> answered(gen, lane, event, null, null));
            } else {
                sender.send(event.body()).whenComplete((status, error) -> execute(() -> answered(gen, lane, event,
                        status, error)));
            }
        }
    }

    private boolean expired(Event event) {
        return System.currentTimeMillis() - event.since() >= retryMillis;
    }

    /** What a try came to: a status, an error, or neither (not tried: expired). */
    private void answered(long gen, Lane lane, Event event, Integer status, Throwable error) {
        boolean tried = status != null || error != null;
        boolean ok = error == null && status != null && status / 100 == 2;
        boolean drop = !ok && expired(event);
        Duration retry = null;
        synchronized (this) {
            if (gen != generation) {
                return; // cleared meanwhile: it is no longer this server's to deliver
            }
            inFlight--;
            if (ok || drop) {
                lane.events.poll();
                waiting--;
                lane.failures = 0;
                if (lane.events.isEmpty()) {
                    lane.scheduled = false;
                    lanes.remove(lane.key);
                } else {
                    ready.add(lane);
                }
            } else {
                retry = backoff(lane.failures++);
            }
        }
        if (tried) {
            metrics.webhookDelivery(ok);
        }
        if (!ok && !drop) {
            events.record(Level.WARNING, "webhook not delivered, retried", why(status, error));
        }
        if (drop) {
            metrics.webhookDropped("expired");
            events.record(Level.ERROR, "webhook dropped: not delivered within CHAT_WEBHOOK_RETRY_HOURS", why(status, error),
                    Field.of("lane", lane.key));
        }
        if (ok || drop) {
            try {
                event.done().run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "what follows a webhook's delivery failed", e);
            }
            pump();
        } else {
            metrics.webhookRetried();
            long delay = retry.toMillis();
            try {
                thread.schedule(() -> retry(gen, lane), delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.log(Level.DEBUG, "webhook retry not scheduled: closed");
            }
        }
    }

    private void retry(long gen, Lane lane) {
        synchronized (this) {
            if (gen != generation || closed) {
                return;
            }
            ready.add(lane);
        }
        pump();
    }

    /** 1 s after the first failure, doubling, 5 min at most. */
    static Duration backoff(int failuresBefore) {
        long millis = FIRST_RETRY.toMillis() << Math.min(failuresBefore, 20);
        return Duration.ofMillis(Math.min(millis, LAST_RETRY.toMillis()));
    }

    /** The status, or the kind of failure: never the body (it holds message text). */
    private static String why(Integer status, Throwable error) {
        if (error instanceof java.util.concurrent.CompletionException && error.getCause() != null) {
            error = error.getCause();
        }
        return error != null ? error.getClass().getSimpleName() : status != null ? "status " + status : "not tried in time";
    }

    private void execute(Runnable task) {
        try {
            thread.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.log(Level.DEBUG, "webhooks closed: a task not run");
        }
    }
}

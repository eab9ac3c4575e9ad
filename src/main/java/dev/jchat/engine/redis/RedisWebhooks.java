package dev.jchat.engine.redis;

import dev.jchat.ChatHub;
import dev.jchat.message.ChatMessage;
import dev.jchat.message.FrameEncoder;
import dev.jchat.message.LogEntry;
import dev.jchat.message.ServerFrame;
import dev.jchat.webhook.OnlineNames;
import dev.jchat.webhook.WebhookEvents;
import dev.jchat.webhook.Webhooks;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.StreamMessage;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Redis engine's webhooks (docs/REDIS.md, "Webhooks"). Events wait in streams: each room's in
 * its own, {@link RedisKeys#webhooks(String)}, in the room's slot, written by the scripts with the
 * entry ({@code publish.lua}, {@code release.lua}); the whole chat's {@code online} and
 * {@code offline} in {@link RedisKeys#nameEvents} ({@code presence.lua}, {@code offline.lua}), whose
 * keys share one slot. So every script touches one slot, on one Redis as in a cluster. One server at
 * a time holds the delivery lease ({@code lease.lua}, renewed every second, lasting {@link #LEASE}).
 * It finds the rooms with events in {@link RedisKeys#webhookStreams}, which each publishing server
 * adds its room to after its script, and, for the room a server that died between never added, by a
 * {@code SCAN} of every master when it takes the lease and every {@link #SWEEP}. It reads each stream
 * in id order from the start (a stream holds only what is not delivered yet: each entry is deleted
 * once delivered or dropped), at most as many as {@link Webhooks} has room for, and forgets a stream
 * found empty. A holder that lost the lease forgets what it read; the next reads it again from the
 * streams (at least once). Every server counts its names for the whole chat through
 * {@link RedisPresence#tellWhole}, refreshed every presence period as the rooms' names are, so a
 * server that died is swept the same way. Thread-safe: its loop is one chain of steps at a time.
 */
final class RedisWebhooks implements OnlineNames.Whereabouts {

    private static final System.Logger LOG = System.getLogger(RedisWebhooks.class.getName());
    static final Duration LEASE = Duration.ofSeconds(10);
    /** How often the holder looks for every room's stream, not only those listed: the latest an unlisted event starts. */
    static final Duration SWEEP = Duration.ofSeconds(30);
    private static final Duration STEP = Duration.ofSeconds(1);
    /** Read a stream from its start (exclusive ids are {@code (id}). */
    private static final String START = "-";
    private static final int BATCH = 200;

    private final ChatHub hub;
    private final RedisLink link;
    private final RedisKeys keys;
    private final RedisPresence presence;
    private final Webhooks webhooks;
    private final String node = dev.jchat.room.Audience.newEpoch(); // this server, as the lease's holder
    private final long graceMillis;
    private volatile long backlog; // the holder's: the lengths of the streams it knows, last read; 0 on the others
    // only the loop's chain touches these
    private volatile boolean holder; // also read by close()
    private volatile boolean stopped;
    /** The streams the holder knows may hold events: each to the id of the last entry it offered, or {@link #START}. */
    private final Map<String, String> streams = new LinkedHashMap<>();
    private long sweptAt; // System.nanoTime() of the last sweep's start, when holding
    private long lengths; // this step's
    /**
     * Per stream, its entries offered and not yet acknowledged (decremented by the acknowledgements'
     * threads); a new map with each lease, so a former holding's late acknowledgements count in its own.
     */
    private volatile Map<String, AtomicInteger> unacknowledged = new ConcurrentHashMap<>();
    private int turn; // where the streams' order starts: one further each step

    RedisWebhooks(ChatHub hub, RedisLink link, RedisKeys keys, RedisPresence presence, Webhooks webhooks) {
        this.hub = hub;
        this.link = link;
        this.keys = keys;
        this.presence = presence;
        this.webhooks = webhooks;
        this.graceMillis = hub.config().offlineGraceSeconds() * 1_000L;
        hub.metrics().webhookBacklog(() -> backlog);
    }

    /**
     * Lists the room's stream as one that may hold events, after a script that may have written one
     * there; answers {@code reply}. Not atomic with the script: a server that dies between leaves
     * the event to the holder's next sweep ({@link #SWEEP}).
     */
    static <T> T listed(RedisLink link, RedisKeys keys, String room, T reply) {
        link.call("webhooks", redis -> redis.sadd(keys.webhookStreamsOf(room), keys.webhooks(room))).whenComplete((added, error) -> {
            if (error != null) {
                LOG.log(Level.DEBUG, "a room's webhook stream not listed: the next sweep finds it", error);
            }
        });
        return reply;
    }

    /** Starts the loop and the refresh of this server's names; both stop when the link closes. */
    void start() {
        hub.schedule(this::step, STEP);
        hub.schedule(this::refresh, presence.period());
    }

    /**
     * Lets go of the lease if this server holds it, so that another server delivers at once, not
     * after {@link #LEASE}; what this one read and did not deliver is still in the streams for it.
     * Before the link drains, which waits for this command.
     */
    void close() {
        stopped = true; // no step takes it again (one in flight may: then it runs out)
        if (holder) {
            holder = false;
            link.call("webhooks", redis -> Script.LEASE.<Long>run(redis, new String[] {keys.webhookLease()}, node, "0"))
                    .whenComplete((released, error) -> {
                        if (error != null) {
                            LOG.log(Level.DEBUG, "the webhooks' lease not let go of: it runs out", error);
                        }
                    });
        }
    }

    @Override
    public void here(String name) {
        presence.tellWhole(List.of("+" + name), graceMillis);
    }

    @Override
    public void gone(String name) {
        presence.tellWhole(List.of("-" + name), graceMillis);
    }

    /** Tells Redis again of every name here, as the rooms do, which also sweeps the names of servers that died. */
    private void refresh() {
        if (link.closed()) {
            return;
        }
        if (link.reachable()) {
            OnlineNames online = hub.online();
            presence.tellWhole(online == null ? List.of() : online.names().stream().map(n -> "+" + n).toList(),
                    graceMillis);
        }
        hub.schedule(this::refresh, presence.period());
    }

    private void step() {
        if (link.closed() || stopped) {
            return;
        }
        CompletionStage<Boolean> more = link.reachable() ? lease().thenCompose(held -> held ? deliver()
                : CompletableFuture.completedStage(false)) : CompletableFuture.completedStage(false);
        more.whenComplete((again, error) -> {
            if (error != null) {
                hub.events().record(Level.WARNING, "webhooks not read from Redis", error.toString());
            }
            hub.schedule(this::step, Boolean.TRUE.equals(again) ? Duration.ofMillis(50) : STEP);
        });
    }

    /** Takes or renews the lease; one that was lost forgets what it held (the next holder reads it again). */
    private CompletionStage<Boolean> lease() {
        return link.call("webhooks", redis -> Script.LEASE.<Long>run(redis, new String[] {keys.webhookLease()}, node,
                Long.toString(LEASE.toMillis()))).thenApply(held -> {
                    boolean now = held == 1;
                    if (now != holder) {
                        webhooks.clear();
                        streams.clear();
                        unacknowledged = new ConcurrentHashMap<>();
                        backlog = 0;
                        holder = now;
                        if (now) {
                            streams.put(keys.earlierWebhooks(), START);
                            streams.put(keys.nameEvents(), START);
                            // a sweep first: what servers that died left unlisted
                            sweptAt = System.nanoTime() - SWEEP.toNanos();
                        }
                    }
                    return now;
                });
    }

    /** The holder's turn: offline events due, the streams to read, then a batch. Answers whether to come back at once. */
    private CompletionStage<Boolean> deliver() {
        String[] offlineKeys = {keys.offlineDue(), keys.wholeNames(), keys.announced(), keys.nameEvents()};
        CompletionStage<?> known = link.call("webhooks", redis -> Script.OFFLINE.<Long>run(redis, offlineKeys))
                .thenCompose(added -> listed(0))
                .thenCompose(listed -> {
                    if (System.nanoTime() - sweptAt < SWEEP.toNanos()) {
                        return CompletableFuture.completedStage(null);
                    }
                    sweptAt = System.nanoTime();
                    return sweep(ScanCursor.INITIAL);
                });
        return known.thenCompose(ready -> {
            int room = Math.min(BATCH, webhooks.capacity() - webhooks.waiting());
            if (room <= 0) {
                return CompletableFuture.completedStage(false); // full: in a second
            }
            lengths = 0;
            return read(order(), 0, room).thenApply(again -> {
                if (!again) {
                    backlog = lengths; // every stream looked at
                }
                return again;
            });
        });
    }

    /**
     * The streams to read this step: an earlier version's first (its events came before the
     * others), then the rest starting one further each step, so that when the queue's room runs
     * out before the last, busy streams early in the map do not keep the later ones waiting.
     */
    private List<String> order() {
        List<String> rest = new ArrayList<>(streams.keySet());
        boolean earlier = rest.remove(keys.earlierWebhooks());
        List<String> order = new ArrayList<>(rest.size() + 1);
        if (earlier) {
            order.add(keys.earlierWebhooks());
        }
        int from = rest.isEmpty() ? 0 : Math.floorMod(turn++, rest.size());
        order.addAll(rest.subList(from, rest.size()));
        order.addAll(rest.subList(0, from));
        return order;
    }

    /** Adds the streams of the {@code n}th set of listed ones and of those after it. */
    private CompletionStage<Void> listed(int n) {
        if (n == RedisKeys.WEBHOOK_STREAM_SETS) {
            return CompletableFuture.completedStage(null);
        }
        return link.call("webhooks", redis -> redis.smembers(keys.webhookStreams(n))).thenCompose(listed -> {
            listed.forEach(stream -> streams.putIfAbsent(stream, START));
            return listed(n + 1);
        });
    }

    /** Every room's stream on every master ({@code SCAN}; Lettuce's cluster connection goes over each master in turn). */
    private CompletionStage<Void> sweep(ScanCursor cursor) {
        ScanArgs match = ScanArgs.Builder.matches(keys.everyRoomsWebhooks()).limit(1_000);
        return link.call("webhooks", redis -> redis.scan(cursor, match)).thenCompose((KeyScanCursor<String> found) -> {
            found.getKeys().forEach(stream -> streams.putIfAbsent(stream, START));
            return found.isFinished() ? CompletableFuture.completedStage(null) : sweep(found);
        });
    }

    /**
     * Reads {@code order}'s streams from the {@code i}th, each from after the last entry offered, at
     * most {@code room} entries in all; a stream with nothing more is looked at ({@link #nothingNew}).
     * Answers whether {@code room} ran out (then the next step comes at once).
     */
    private CompletionStage<Boolean> read(List<String> order, int i, int room) {
        if (i == order.size()) {
            return CompletableFuture.completedStage(false);
        }
        if (room <= 0) {
            return CompletableFuture.completedStage(true);
        }
        String stream = order.get(i);
        String after = streams.get(stream);
        Range<String> range = Range.create(after.equals(START) ? START : "(" + after, "+");
        return link.call("webhooks", redis -> redis.xrange(stream, range, Limit.from(room))).thenCompose(entries -> {
            for (StreamMessage<String, String> entry : entries) {
                offer(stream, entry);
            }
            if (!entries.isEmpty()) {
                streams.put(stream, entries.get(entries.size() - 1).getId());
                lengths += entries.size();
                return read(order, i + 1, room - entries.size());
            }
            return nothingNew(stream).thenCompose(looked -> read(order, i + 1, room));
        });
    }

    /**
     * A stream with nothing after the last entry offered. If it holds entries none of which is
     * offered and unacknowledged, it is read again from its start (an acknowledgement that failed,
     * or entries written under ids before the last one read: a stream that went, then came again on
     * a master whose clock is behind). A room's stream that holds nothing (each entry offered was
     * delivered or dropped, and deleted) is forgotten: unlisted first, then looked at again, so that
     * an event a server writes meanwhile, and lists after writing it, is not missed. The stream of
     * names is always read; an earlier version's is forgotten once empty.
     */
    private CompletionStage<Void> nothingNew(String stream) {
        return link.call("webhooks", redis -> redis.xlen(stream)).thenCompose(length -> {
            lengths += length;
            if (length > 0) {
                AtomicInteger open = unacknowledged.get(stream);
                if (open == null || open.get() == 0) {
                    streams.put(stream, START);
                }
                return CompletableFuture.completedStage(null);
            }
            if (stream.equals(keys.nameEvents())) {
                return CompletableFuture.completedStage(null);
            }
            if (stream.equals(keys.earlierWebhooks())) { // never listed
                streams.remove(stream);
                return CompletableFuture.completedStage(null);
            }
            String set = keys.webhookStreamsOf(keys.roomOfWebhooks(stream));
            return link.call("webhooks", redis -> redis.srem(set, stream))
                    .thenCompose(removed -> link.call("webhooks", redis -> redis.xlen(stream)))
                    .thenCompose(again -> {
                        if (again == 0) {
                            streams.remove(stream);
                            unacknowledged.remove(stream);
                            return CompletableFuture.completedStage(null);
                        }
                        return link.call("webhooks", redis -> redis.sadd(set, stream)).thenAccept(added -> { });
                    });
        });
    }

    private void offer(String stream, StreamMessage<String, String> entry) {
        String id = entry.getId();
        Map<String, String> fields = entry.getBody();
        long since = Long.parseLong(id.substring(0, id.indexOf('-'))); // Redis' time when it was written
        AtomicInteger open = unacknowledged.computeIfAbsent(stream, s -> new AtomicInteger());
        open.incrementAndGet();
        Runnable done = () -> link.call("webhooks", redis -> Script.ACKED.<Long>run(redis, new String[] {stream}, id))
                .whenComplete((deleted, error) -> {
                    open.decrementAndGet(); // after the deletion: so a stream with none open holds nothing offered
                    if (error != null) { // read and delivered again: at least once
                        hub.events().record(Level.WARNING, "a delivered webhook not acknowledged in Redis", error.toString());
                    }
                });
        Webhooks.Event event;
        if (fields.containsKey("f")) {
            ServerFrame frame = FrameEncoder.logFrame(fields.get("f"));
            String room = frame instanceof ChatMessage m ? m.room() : ((LogEntry) frame).room();
            String eventId = id + "@" + room; // streams' ids are unique per stream, and each room has its own
            event = new Webhooks.Event(eventId, Webhooks.room(room), since, WebhookEvents.entry(eventId, frame), done);
        } else {
            String user = fields.get("u");
            event = new Webhooks.Event(id, Webhooks.name(user), since, WebhookEvents.name(id, fields.get("n"), user,
                    Instant.ofEpochMilli(Long.parseLong(fields.get("t")))), done);
        }
        if (!webhooks.offer(event)) {
            open.decrementAndGet();
            // read only as many as it has room for, and only this loop offers: not expected; read again
            hub.events().record(Level.WARNING, "a webhook read from Redis found no room", null);
        }
    }
}

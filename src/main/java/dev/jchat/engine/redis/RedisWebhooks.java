package dev.jchat.engine.redis;

import dev.jchat.ChatHub;
import dev.jchat.message.ChatMessage;
import dev.jchat.message.FrameEncoder;
import dev.jchat.message.LogEntry;
import dev.jchat.message.ServerFrame;
import dev.jchat.webhook.OnlineNames;
import dev.jchat.webhook.WebhookEvents;
import dev.jchat.webhook.Webhooks;
import io.lettuce.core.Consumer;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The Redis engine's webhooks (docs/REDIS.md, "Webhooks"): events wait in one stream,
 * {@link RedisKeys#webhooks}, written by the scripts ({@code publish.lua} for a room's entries,
 * with the entry; {@code presence.lua} for {@code online}; {@code offline.lua} for {@code offline}).
 * One server at a time holds the delivery lease ({@code lease.lua}, renewed every second, lasting
 * {@link #LEASE}); it reads the stream through a consumer group, first what is pending (what a
 * holder before it read and did not acknowledge, in stream order), then new entries, at most as
 * many as {@link Webhooks} has room for, and acknowledges and deletes each once delivered or
 * dropped ({@code acked.lua}). Every server counts its names for the whole chat through
 * {@link RedisPresence#tellWhole}, refreshed every presence period as the rooms' names are, so a
 * server that died is swept the same way. Thread-safe: its loop is one chain of steps at a time.
 */
final class RedisWebhooks implements OnlineNames.Whereabouts {

    private static final System.Logger LOG = System.getLogger(RedisWebhooks.class.getName());
    static final Duration LEASE = Duration.ofSeconds(10);
    static final String GROUP = "deliver";
    /**
     * Every holder reads as the same consumer: the lease makes one reader at a time, and so what a
     * dead holder read and never acknowledged is already the next holder's pending entries, read
     * again from the start of the group's pending list in stream order (no claim needed).
     */
    static final String CONSUMER = "holder";
    private static final Duration STEP = Duration.ofSeconds(1);
    /** Read from here: the group's pending entries, those a holder read and did not acknowledge. */
    private static final String PENDING = "0";
    /** Read from here: entries no holder read yet. */
    private static final String NEW = ">";
    private static final int BATCH = 200;

    private final ChatHub hub;
    private final RedisLink link;
    private final RedisKeys keys;
    private final RedisPresence presence;
    private final Webhooks webhooks;
    private final String node = dev.jchat.room.Audience.newEpoch(); // this server, as the lease's holder
    private final long graceMillis;
    private volatile long backlog; // the stream's length when last read: the whole chat's events not yet delivered
    // only the loop's chain touches these
    private volatile boolean holder; // also read by close()
    private volatile boolean stopped;
    private String cursor = PENDING; // the pending entries from the start (then from the last read), then NEW ones

    RedisWebhooks(ChatHub hub, RedisLink link, RedisKeys keys, RedisPresence presence, Webhooks webhooks) {
        this.hub = hub;
        this.link = link;
        this.keys = keys;
        this.presence = presence;
        this.webhooks = webhooks;
        this.graceMillis = hub.config().offlineGraceSeconds() * 1_000L;
        hub.metrics().webhookBacklog(() -> backlog);
    }

    /** Starts the loop and the refresh of this server's names; both stop when the link closes. */
    void start() {
        hub.schedule(this::step, STEP);
        hub.schedule(this::refresh, presence.period());
    }

    /**
     * Lets go of the lease if this server holds it, so that another server delivers at once, not
     * after {@link #LEASE}; what this one read and did not deliver is pending for it. Before the
     * link drains, which waits for this command.
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
                Long.toString(LEASE.toMillis()))).thenCompose(held -> {
                    boolean now = held == 1;
                    if (now != holder) {
                        webhooks.clear();
                        cursor = PENDING;
                        holder = now;
                        if (now) {
                            return group().thenApply(made -> true);
                        }
                    }
                    return CompletableFuture.completedStage(now);
                }).thenCompose(held -> link.call("webhooks", redis -> redis.xlen(keys.webhooks())).thenApply(length -> {
                    backlog = length;
                    return held;
                }));
    }

    /** Makes the consumer group (and the stream) unless they are there: from the stream's start, so nothing written before is skipped. */
    private CompletionStage<Boolean> group() {
        return link.call("webhooks", redis -> redis.xgroupCreate(XReadArgs.StreamOffset.from(keys.webhooks(), "0"), GROUP,
                XGroupCreateArgs.Builder.mkstream())).handle((ok, error) -> {
                    if (error != null && !String.valueOf(error.getMessage()).contains("BUSYGROUP")) {
                        hub.events().record(Level.WARNING, "the webhooks' consumer group could not be made", error.toString());
                    }
                    return true;
                });
    }

    /** The holder's turn: offline events due, then a batch of the stream. Answers whether to come back at once. */
    private CompletionStage<Boolean> deliver() {
        String[] offlineKeys = {keys.offlineDue(), keys.wholeNames(), keys.announced(), keys.webhooks()};
        CompletionStage<Long> offline = link.call("webhooks", redis -> Script.OFFLINE.<Long>run(redis, offlineKeys));
        int room = Math.min(BATCH, webhooks.capacity() - webhooks.waiting());
        if (room <= 0) {
            return offline.thenApply(added -> false);
        }
        String from = cursor;
        return offline.thenCompose(added -> link.call("webhooks", redis -> redis.xreadgroup(Consumer.from(GROUP, CONSUMER),
                XReadArgs.Builder.count(room), XReadArgs.StreamOffset.from(keys.webhooks(), from))))
                .handle((entries, error) -> {
                    if (error != null) {
                        if (String.valueOf(error.getMessage()).contains("NOGROUP")) {
                            group(); // the stream went (a Redis that lost it): made again for the next step
                        } else {
                            hub.events().record(Level.WARNING, "webhooks not read from Redis", error.toString());
                        }
                        return false;
                    }
                    for (StreamMessage<String, String> entry : entries) {
                        offer(entry);
                    }
                    if (!from.equals(NEW)) {
                        // the pending ones, from where the last batch ended, until none is left
                        cursor = entries.isEmpty() ? NEW : entries.get(entries.size() - 1).getId();
                        return true;
                    }
                    return entries.size() == room;
                });
    }

    private void offer(StreamMessage<String, String> entry) {
        String id = entry.getId();
        Map<String, String> fields = entry.getBody();
        long since = Long.parseLong(id.substring(0, id.indexOf('-'))); // Redis' time when it was written
        Runnable done = () -> link.call("webhooks", redis -> Script.ACKED.<Long>run(redis, new String[] {keys.webhooks()},
                GROUP, id)).whenComplete((deleted, error) -> {
                    if (error != null) { // delivered again by the next reader: at least once
                        hub.events().record(Level.WARNING, "a delivered webhook not acknowledged in Redis", error.toString());
                    }
                });
        Webhooks.Event event;
        if (fields.containsKey("f")) {
            ServerFrame frame = FrameEncoder.logFrame(fields.get("f"));
            String room = frame instanceof ChatMessage m ? m.room() : ((LogEntry) frame).room();
            event = new Webhooks.Event(id, Webhooks.room(room), since, WebhookEvents.entry(id, frame), done);
        } else {
            String user = fields.get("u");
            event = new Webhooks.Event(id, Webhooks.name(user), since, WebhookEvents.name(id, fields.get("n"), user,
                    Instant.ofEpochMilli(Long.parseLong(fields.get("t")))), done);
        }
        if (!webhooks.offer(event)) {
            // read only as many as it has room for, and only this loop offers: not expected; read again by the next holder
            hub.events().record(Level.WARNING, "a webhook read from Redis found no room", null);
        }
    }
}

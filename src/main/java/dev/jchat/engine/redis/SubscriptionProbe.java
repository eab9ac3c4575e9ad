package dev.jchat.engine.redis;

import dev.jchat.ChatHub;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Proof that this server's subscription still delivers. A connection can stay open and stop
 * delivering (a half-open TCP connection, a proxy or NAT that dropped its state, a Redis failover
 * that kept the old socket): Lettuce then sees nothing wrong, the commands still work, and the
 * rooms would go silent while health stayed green. So every {@code CHAT_REDIS_PROBE_SECONDS}
 * the server publishes a numbered probe on a channel of its own, which its subscription
 * connection listens to; in a Redis Cluster, where the subscription is one connection a node, on a
 * channel of its own in each master's slots ({@link LettuceClient#probeChannels}, looked up again
 * each period, so a node that joins or takes slots is probed from then on). A probe not heard back
 * within as long means the subscription (or that node's part of it) does not deliver: the server is not ready ({@link #delivering}), says so once in the log, counts it
 * ({@code chat_redis_subscription_stalls_total}), and replaces the connection
 * ({@link RedisLink#renewSubscriptions}); the new one subscribes every channel again, and every
 * room syncs, which fills what it missed from the room's stream in id order. The first probe
 * heard after that makes it ready again, and says so. A probe that could not be published (the
 * command connection is down) proves nothing either way: that is {@link RedisLink#reachable}'s
 * business. Thread-safe: the timer, Lettuce's threads and the probe's replies meet under this
 * object's lock.
 */
final class SubscriptionProbe {

    private static final System.Logger LOG = System.getLogger(SubscriptionProbe.class.getName());

    private final ChatHub hub;
    private final RedisLink link;
    private final Duration period;
    private final Map<String, Channel> channels = new HashMap<>(); // guarded by this: the probe channels now
    private long stalledAt;         // guarded by this: when the subscription was found stalled, 0 while it delivers
    private volatile boolean delivering = true;

    /** One probe channel's numbers. */
    private static final class Channel {
        long sent;          // the number of the newest probe published
        long heard;         // the number of the newest probe heard back
        long waitingFor;    // the oldest probe not heard back, 0 for none
        long waitingSince;  // when it was published (System.nanoTime)
        long healsAfter;    // after a stall: the newest probe sent before it (one after it must be heard)
    }

    SubscriptionProbe(ChatHub hub, RedisLink link, Duration period) {
        this.hub = hub;
        this.link = link;
        this.period = period;
    }

    /** Starts probing, one probe a channel a period, until the link closes. */
    void start() {
        hub.schedule(this::tick, period);
    }

    /** False from a probe that did not come back until one does: the server cannot deliver meanwhile. */
    boolean delivering() {
        return delivering;
    }

    /** The subscription connection is up, first or again: listens to the probes. */
    void subscribe() {
        List<String> names = link.probeChannels();
        synchronized (this) {
            track(names);
        }
        names.forEach(this::subscribe);
    }

    private void subscribe(String channel) {
        link.subscribe(channel).whenComplete((ok, error) -> {
            if (error != null) {
                LOG.log(Level.DEBUG, "a probe channel is not subscribed: {0}", error.toString()); // a stall, soon
            }
        });
    }

    /** Makes {@code names} the probe channels; answers the new ones. Called under this object's lock. */
    private List<String> track(List<String> names) {
        channels.keySet().retainAll(names);
        List<String> added = new ArrayList<>();
        for (String name : names) {
            if (channels.putIfAbsent(name, new Channel()) == null) {
                added.add(name);
            }
        }
        return added;
    }

    /**
     * Whether {@code from} is a probe channel of this server's, which Redis no longer delivers here
     * (in a cluster, its hash slot moved to another node): then it is subscribed again, on the
     * slot's new node, while it is still one of the channels probed.
     */
    boolean unsubscribed(String from) {
        if (!link.isProbeChannel(from)) {
            return false;
        }
        boolean probed;
        synchronized (this) {
            probed = channels.containsKey(from);
        }
        if (probed) {
            link.resubscribe(from);
        }
        return true;
    }

    /** Whether a channel message is a probe (then it is taken here), on Lettuce's thread. */
    boolean heard(String from, String message) {
        if (!link.isProbeChannel(from)) {
            return false;
        }
        long number;
        try {
            number = Long.parseLong(message);
        } catch (NumberFormatException e) {
            LOG.log(Level.WARNING, "a probe that is not one on this server''s probe channel was dropped");
            return true;
        }
        long healedAfter = 0;
        synchronized (this) {
            Channel channel = channels.get(from);
            if (channel == null) {
                return true; // a node's channel from before the slots moved: no longer waited for
            }
            channel.heard = Math.max(channel.heard, number);
            if (channel.waitingFor != 0 && number >= channel.waitingFor) {
                channel.waitingFor = 0; // this one, and every one before it: the subscription delivers in order
            }
            if (stalledAt != 0 && channels.values().stream().allMatch(c -> c.heard > c.healsAfter)) {
                healedAfter = System.nanoTime() - stalledAt;
                stalledAt = 0;
            }
        }
        if (healedAfter != 0) {
            delivering = true;
            LOG.log(Level.INFO, "the Redis subscription delivers again, {0} ms after it was found stalled;"
                    + " every room here caught up from Redis", healedAfter / 1_000_000);
        }
        return true;
    }

    private void tick() {
        if (link.closed()) {
            return;
        }
        try {
            check();
            if (link.reachable()) {
                publish();
            }
        } finally {
            hub.schedule(this::tick, period);
        }
    }

    /**
     * A probe published more than a period ago and not heard: the subscription does not deliver, and
     * is renewed. While it is found so, a renewal that left no connection up (Redis did not take it)
     * is tried again each period: no probe can be heard without one.
     */
    private void check() {
        boolean stalled = false;
        boolean renew;
        synchronized (this) {
            long now = System.nanoTime();
            boolean overdue = channels.values().stream()
                    .anyMatch(c -> c.waitingFor != 0 && now - c.waitingSince > period.toNanos());
            if (overdue) {
                for (Channel channel : channels.values()) {
                    channel.waitingFor = 0; // the next probes, on the new connection, are the ones to wait for
                    if (stalledAt == 0) {
                        channel.healsAfter = channel.sent;
                    }
                }
                if (stalledAt == 0) {
                    stalledAt = now;
                    stalled = true; // said once, however many renewals it takes
                }
            }
            renew = overdue || (stalledAt != 0 && !link.subscriptionUp());
        }
        if (!renew) {
            return;
        }
        if (stalled) {
            delivering = false;
            hub.metrics().subscriptionStalled();
            LOG.log(Level.WARNING, "the Redis subscription delivered no probe within {0} s: reconnecting it;"
                    + " not ready until it delivers again", period.toSeconds());
        }
        link.renewSubscriptions();
    }

    /**
     * Publishes the next probe on each channel (a channel new since the last period, a cluster's slots
     * having moved, is subscribed first); it is waited for from Redis' answer on, so that commands
     * that are slow to come back (behind a {@code WAIT}, say) are not taken for a subscription that
     * stalled.
     */
    private void publish() {
        List<String> names = link.probeChannels();
        List<String> added;
        Map<String, Long> numbers = new HashMap<>();
        synchronized (this) {
            added = track(names);
            for (Map.Entry<String, Channel> entry : channels.entrySet()) {
                if (!added.contains(entry.getKey())) {
                    numbers.put(entry.getKey(), ++entry.getValue().sent);
                }
            }
        }
        added.forEach(this::subscribe); // probed from the next period on, once subscribed
        numbers.forEach((name, number) -> link.call("probe", redis -> redis.spublish(name, Long.toString(number)))
                .whenComplete((receivers, error) -> {
                    if (error != null) {
                        return; // never published: it proves nothing
                    }
                    synchronized (this) {
                        Channel channel = channels.get(name);
                        if (channel != null && channel.waitingFor == 0 && number > channel.heard) {
                            channel.waitingFor = number;
                            channel.waitingSince = System.nanoTime();
                        }
                    }
                }));
    }
}

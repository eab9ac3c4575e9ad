package dev.jchat.engine.redis;

import dev.jchat.ChatHub;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * Proof that this server's subscription still delivers. A connection can stay open and stop
 * delivering (a half-open TCP connection, a proxy or NAT that dropped its state, a Redis failover
 * that kept the old socket): Lettuce then sees nothing wrong, the commands still work, and the
 * rooms would go silent while health stayed green. So every {@code CHAT_REDIS_PROBE_SECONDS}
 * the server publishes a numbered probe on a channel of its own, which its subscription
 * connection listens to. A probe not heard back within as long means the subscription does not
 * deliver: the server is not ready ({@link #delivering}), says so once in the log, counts it
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
    private final String channel;
    private final Duration period;
    private long sent;              // guarded by this: the number of the newest probe published
    private long heard;             // guarded by this: the number of the newest probe heard back
    private long waitingFor;        // guarded by this: the oldest probe not heard back, 0 for none
    private long waitingSince;      // guarded by this: when it was published (System.nanoTime)
    private long stalledAt;         // guarded by this: when the subscription was found stalled, 0 while it delivers
    private volatile boolean delivering = true;

    SubscriptionProbe(ChatHub hub, RedisLink link, Duration period) {
        this.hub = hub;
        this.link = link;
        this.channel = link.subscriberName(); // the channel is named as the connection: this server's own
        this.period = period;
    }

    /** Starts probing, one probe a period, until the link closes. */
    void start() {
        hub.schedule(this::tick, period);
    }

    /** False from a probe that did not come back until one does: the server cannot deliver meanwhile. */
    boolean delivering() {
        return delivering;
    }

    /** The subscription connection is up, first or again: listens to the probes. */
    void subscribe() {
        link.subscribe(channel).whenComplete((ok, error) -> {
            if (error != null) {
                LOG.log(Level.DEBUG, "the probe channel is not subscribed: {0}", error.toString()); // a stall, soon
            }
        });
    }

    /**
     * Whether {@code from} is the probe channel, which Redis no longer delivers here (in a cluster,
     * its hash slot moved to another node): then it is subscribed again, on the slot's new node.
     */
    boolean unsubscribed(String from) {
        if (!from.equals(channel)) {
            return false;
        }
        link.resubscribe(channel);
        return true;
    }

    /** Whether a channel message is a probe (then it is taken here), on Lettuce's thread. */
    boolean heard(String from, String message) {
        if (!from.equals(channel)) {
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
            heard = Math.max(heard, number);
            if (waitingFor != 0 && number >= waitingFor) {
                waitingFor = 0; // this one, and every one before it: the subscription delivers in order
            }
            if (stalledAt != 0) {
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
            boolean overdue = waitingFor != 0 && System.nanoTime() - waitingSince > period.toNanos();
            if (overdue) {
                waitingFor = 0; // the next probe, on the new connection, is the one to wait for
                if (stalledAt == 0) {
                    stalledAt = System.nanoTime();
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
     * Publishes the next probe; it is waited for from Redis' answer on, so that commands that are
     * slow to come back (behind a {@code WAIT}, say) are not taken for a subscription that stalled.
     */
    private void publish() {
        long number;
        synchronized (this) {
            number = ++sent;
        }
        link.call("probe", redis -> redis.spublish(channel, Long.toString(number))).whenComplete((receivers, error) -> {
            if (error != null) {
                return; // never published: it proves nothing
            }
            synchronized (this) {
                if (waitingFor == 0 && number > heard) {
                    waitingFor = number;
                    waitingSince = System.nanoTime();
                }
            }
        });
    }
}

package dev.jchat.engine.redis;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * This server's monotonic clock, and Redis' clock as reckoned from it: the offset between the two,
 * taken from every reading of Redis' {@code TIME} (by {@link RedisLink}, every second and on every
 * connect) and from every {@code LATE} of {@code publish.lua}. A deadline reckoned with it falls
 * on Redis' clock no later than on this server's (docs/REDIS.md, "Nothing late"). Thread-safe.
 */
final class RedisClock {

    private volatile long offsetMillis; // Redis' clock minus this server's, at most (see measured)
    private volatile LongSupplier local = () -> System.nanoTime() / 1_000_000; // this server's, monotonic, ms

    /** This server's monotonic clock, ms: the one a publish deadline is decided on. */
    long now() {
        return local.getAsLong();
    }

    /** The instant {@code localMillis} of this server's clock on Redis' clock, or sooner. */
    long onRedis(long localMillis) {
        return localMillis + offsetMillis;
    }

    /** A reply of Redis' {@code TIME} (seconds, microseconds) that arrived at {@code receivedAt}. */
    void measured(List<String> time, long receivedAt) {
        measured(Long.parseLong(time.get(0)) * 1_000 + Long.parseLong(time.get(1)) / 1_000, receivedAt);
    }

    /**
     * Redis' clock read {@code redisMillis} at some instant before this server's read {@code receivedAt}:
     * the difference is at most the true offset (by the reply's way back), so a deadline reckoned
     * with it falls on Redis' clock no later than the server's own. The newest reading wins: a step
     * of either clock counts from the next reading on.
     */
    void measured(long redisMillis, long receivedAt) {
        offsetMillis = redisMillis - receivedAt;
    }

    /** For tests: the monotonic clock (ms) the publish deadline is reckoned on, to step or drift it against Redis'. */
    void use(LongSupplier millis) {
        local = millis;
    }
}

package dev.jchat.room;

import java.util.HashMap;
import java.util.Map;

/**
 * How often a room lets a name say it is typing: at most once a second per name, counted on this
 * server; the rest are dropped, as PROTOCOL.md allows.
 *
 * <p>Not thread-safe: its {@link Audience} calls it with its lock held.
 */
final class TypingPace {

    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final Map<String, Long> typed = new HashMap<>(); // name -> when it last said it is typing (nanos)

    /** Whether {@code user} may say it is typing at {@code nowNanos}; if so, the next second counts from now. */
    boolean allows(String user, long nowNanos) {
        Long last = typed.get(user);
        if (last != null && nowNanos - last < INTERVAL_NANOS) {
            return false;
        }
        typed.put(user, nowNanos);
        return true;
    }

    /** The name has no connection here any more. */
    void forget(String user) {
        typed.remove(user);
    }
}

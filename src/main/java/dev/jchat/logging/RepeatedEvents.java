package dev.jchat.logging;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.TreeMap;

/**
 * Log lines for events that can come by the thousand (slow clients closed at once, refusals
 * from one flooding connection): the first of a kind in each period is logged as it happens,
 * the rest are counted and logged as one line when the period ends. Thread-safe.
 */
public final class RepeatedEvents {

    private final Logger log;
    private final Map<String, Integer> counts = new TreeMap<>(); // what -> how many were not logged
    private final Map<String, Level> levels = new TreeMap<>();

    public RepeatedEvents(Logger log) {
        this.log = log;
    }

    /**
     * Records one event. {@code what} names its kind and must not vary per event (no ids, no
     * client text); {@code detail} is logged only for the first of its kind in a period.
     */
    public void record(Level level, String what, String detail) {
        boolean first;
        synchronized (this) {
            first = !counts.containsKey(what);
            counts.merge(what, first ? 0 : 1, Integer::sum);
            levels.putIfAbsent(what, level);
        }
        if (first) {
            log.log(level, detail == null ? what : what + ": " + detail);
        }
    }

    /** Ends a period: one line per kind that happened more than once in it. */
    public void flush(String period) {
        Map<String, Integer> unlogged;
        Map<String, Level> kinds;
        synchronized (this) {
            unlogged = new TreeMap<>(counts);
            kinds = new TreeMap<>(levels);
            counts.clear();
            levels.clear();
        }
        unlogged.forEach((what, more) -> {
            if (more > 0) {
                log.log(kinds.get(what), what + ": " + more + " more in the last " + period);
            }
        });
    }
}

package dev.jchat.logging;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Log lines for events that can come by the thousand (slow clients closed at once, refusals
 * from one flooding connection): the first of a kind in each period is logged as it happens,
 * the rest are counted and logged as one line when the period ends. Thread-safe.
 */
public final class RepeatedEvents {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\d");

    private final Logger log;
    private final Map<String, Integer> counts = new TreeMap<>(); // what -> how many were not logged
    private final Map<String, Level> levels = new TreeMap<>();
    private final Map<String, Field[]> fields = new TreeMap<>(); // the kind's, from its first event

    public RepeatedEvents(Logger log) {
        this.log = log;
    }

    /**
     * Records one event. {@code what} names its kind and must not vary per event (no ids, no
     * client text); {@code detail} is logged only for the first of its kind in a period, with
     * its {@code fields} (in a JSON line; the summary line repeats those of the kind).
     */
    public void record(Level level, String what, String detail, Field... fields) {
        boolean first;
        synchronized (this) {
            first = !counts.containsKey(what);
            counts.merge(what, first ? 0 : 1, Integer::sum);
            levels.putIfAbsent(what, level);
            this.fields.putIfAbsent(what, kindOnly(fields));
        }
        if (first) {
            log.log(level, plain(detail == null ? what : what + ": " + detail), (Object[]) fields);
        }
    }

    /** Ends a period: one line per kind that happened more than once in it. */
    public void flush(String period) {
        Map<String, Integer> unlogged;
        Map<String, Level> kinds;
        Map<String, Field[]> kindFields;
        synchronized (this) {
            unlogged = new TreeMap<>(counts);
            kinds = new TreeMap<>(levels);
            kindFields = new TreeMap<>(fields);
            counts.clear();
            levels.clear();
            fields.clear();
        }
        unlogged.forEach((what, more) -> {
            if (more > 0) {
                Field[] summary = Arrays.copyOf(kindFields.get(what), kindFields.get(what).length + 1);
                summary[summary.length - 1] = Field.of("repeated", more);
                log.log(kinds.get(what), plain(what + ": " + more + " more in the last " + period), (Object[]) summary);
            }
        });
    }

    /** The fields that say what kind of event it was, not which one: a connection's id is left out. */
    private static Field[] kindOnly(Field[] fields) {
        return Arrays.stream(fields).filter(field -> !field.name().equals("connection")).toArray(Field[]::new);
    }

    /**
     * The text as it is, though logged with parameters: java.util.logging runs it through
     * MessageFormat when it holds a brace and a digit, so then its quotes and braces are escaped.
     */
    private static String plain(String text) {
        return PLACEHOLDER.matcher(text).find() ? text.replace("'", "''").replace("{", "'{'") : text;
    }
}

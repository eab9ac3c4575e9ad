package dev.jchat.room;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The newest messages of one room, already encoded, oldest first. Not thread-safe: its room
 * guards it.
 */
final class History {

    /** A message as sent: its id and its encoded frame. */
    record Entry(long id, Frame frame) {
    }

    private final int capacity;
    private final ArrayDeque<Entry> entries;

    History(int capacity) {
        this.capacity = capacity;
        this.entries = new ArrayDeque<>(); // grows with use: most rooms hold a few messages, not capacity
    }

    /** Appends a message; ids must increase. Drops the oldest past capacity. */
    void add(long id, Frame frame) {
        if (!entries.isEmpty() && id <= entries.peekLast().id()) {
            throw new IllegalArgumentException("ids must increase: " + id + " after " + entries.peekLast().id());
        }
        if (capacity == 0) {
            return;
        }
        if (entries.size() == capacity) {
            entries.pollFirst();
        }
        entries.addLast(new Entry(id, frame));
    }

    /** The newest {@code count} messages, oldest first. */
    List<Entry> last(int count) {
        int skip = Math.max(0, entries.size() - count);
        List<Entry> result = new ArrayList<>(entries.size() - skip);
        Iterator<Entry> it = entries.iterator();
        for (int i = 0; it.hasNext(); i++) {
            Entry e = it.next();
            if (i >= skip) {
                result.add(e);
            }
        }
        return result;
    }

    /** Every held message with an id above {@code since}, oldest first. */
    List<Entry> after(long since) {
        List<Entry> result = new ArrayList<>();
        Iterator<Entry> it = entries.descendingIterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.id() <= since) {
                break;
            }
            result.add(e);
        }
        java.util.Collections.reverse(result);
        return result;
    }

    /** Up to {@code limit} of the newest messages with an id below {@code before} (all when null), oldest first. */
    List<Entry> before(Long before, int limit) {
        List<Entry> result = new ArrayList<>(Math.min(limit, entries.size()));
        Iterator<Entry> it = entries.descendingIterator();
        while (it.hasNext() && result.size() < limit) {
            Entry e = it.next();
            if (before == null || e.id() < before) {
                result.add(e);
            }
        }
        java.util.Collections.reverse(result);
        return result;
    }

    /** Whether a message older than {@code id} is still held. */
    boolean holdsBefore(long id) {
        return !entries.isEmpty() && entries.peekFirst().id() < id;
    }

    /**
     * Whether every message after {@code since} is still held, given that {@code lastId} is the
     * newest id ever assigned (ids are consecutive).
     */
    boolean covers(long since, long lastId) {
        if (since >= lastId) {
            return true;
        }
        return !entries.isEmpty() && entries.peekFirst().id() <= since + 1;
    }

    void clear() {
        entries.clear();
    }

    int size() {
        return entries.size();
    }
}

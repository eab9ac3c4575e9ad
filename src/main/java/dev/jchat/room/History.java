package dev.jchat.room;

import dev.jchat.connection.Frame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The newest messages of one room, already encoded, oldest first, charged to the server's
 * {@link HistoryBudget}. Not thread-safe: its room guards it with {@link #lock}, which the budget
 * takes too when it trims this history from another room's thread.
 *
 * <p>Whether a resuming client missed nothing is decided on what is held, not on id arithmetic:
 * ids may skip (a message this server never gets, or, later, log entries old clients do not
 * see), so the history keeps {@link #heldAfter}, the lowest {@code since} after which it holds
 * every message there is. A gap the engine could not fill ({@link #lost}) or the eviction of the
 * oldest message moves it up.
 */
final class History {

    /** A message as sent: its id and its encoded frame. */
    record Entry(long id, Frame frame) {
    }

    private final int capacity;
    private final ArrayDeque<Entry> entries;
    private final HistoryBudget budget;
    final Object lock;
    private long heldAfter;          // every message with a greater id is held (or not yet sent)
    private long charged;            // bytes this history holds in the budget
    volatile long lastActive;        // System.nanoTime() of its newest message: the budget trims the stalest first
    private boolean released;        // the room was forgotten: it holds nothing more

    /** A history of its own, with no budget beyond its capacity: for tests. */
    History(int capacity) {
        this(capacity, new HistoryBudget(Long.MAX_VALUE), null);
    }

    /**
     * @param lock what guards this history (its room's lock); null: the history itself
     */
    History(int capacity, HistoryBudget budget, Object lock) {
        this.capacity = capacity;
        this.entries = new ArrayDeque<>(); // grows with use: most rooms hold a few messages, not capacity
        this.budget = budget;
        this.lock = lock == null ? this : lock;
        this.lastActive = System.nanoTime();
        budget.register(this);
    }

    /**
     * Appends a message that follows the previous one with nothing missed between them (its id
     * may skip); ids must increase. Drops the oldest past capacity. The caller calls
     * {@link HistoryBudget#enforce()} once it has released the room's lock.
     */
    void add(long id, Frame frame) {
        if (!entries.isEmpty() && id <= entries.peekLast().id()) {
            throw new IllegalArgumentException("ids must increase: " + id + " after " + entries.peekLast().id());
        }
        lastActive = System.nanoTime();
        if (capacity == 0 || released) {
            heldAfter = id;
            return;
        }
        if (entries.size() == capacity) {
            dropOldest();
        }
        // Kept without its wire copy: a frame in history is its text once, not text and frame twice.
        Frame kept = frame.withoutWireCache();
        entries.addLast(new Entry(id, kept));
        long cost = HistoryBudget.cost(kept);
        charged += cost;
        budget.charge(cost);
    }

    /** Messages up to {@code upTo} that were never added are gone for good: a {@code since} before it is not covered. */
    void lost(long upTo) {
        heldAfter = Math.max(heldAfter, upTo);
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

    /**
     * The held message with this id, or null: looked for from the newest, where a duplicate from
     * the channel is, so that finding it costs its distance from the newest, not a copy of the rest.
     */
    Frame find(long id) {
        Iterator<Entry> it = entries.descendingIterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.id() <= id) {
                return e.id() == id ? e.frame() : null;
            }
        }
        return null;
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

    /** Whether every message after {@code since} is held: a client that saw up to it misses nothing. */
    boolean covers(long since) {
        return since >= heldAfter;
    }

    /** Forgets every message; everything up to {@code upTo} counts as gone. */
    void clear(long upTo) {
        while (!entries.isEmpty()) {
            dropOldest();
        }
        heldAfter = upTo;
    }

    /** The room is forgotten: its messages leave the budget, and it keeps none from now on. */
    void release() {
        clear(heldAfter);
        released = true;
        budget.unregister(this);
    }

    int size() {
        return entries.size();
    }

    /** With {@link #lock} held: drops the oldest message; false when there is none. */
    boolean dropOldest() {
        Entry oldest = entries.pollFirst();
        if (oldest == null) {
            return false;
        }
        heldAfter = Math.max(heldAfter, oldest.id());
        long cost = HistoryBudget.cost(oldest.frame());
        charged -= cost;
        budget.charge(-cost);
        return true;
    }

    /** Bytes this history holds in its budget. */
    long charged() {
        return charged;
    }
}

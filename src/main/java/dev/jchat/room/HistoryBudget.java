package dev.jchat.room;

import dev.jchat.connection.Frame;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap that the histories of every room on one server may take together
 * ({@code CHAT_HISTORY_MAX_MB}). Past it, the least recently active rooms (by their newest
 * message) lose their oldest messages first, down to nine tenths of the budget, so that a trim
 * is a rare pass, not a cost of every message. A resume from before what a room still holds
 * gets {@code recovered: false}, as for any history too short.
 *
 * <p>Thread-safe. A history charges and refunds under its room's lock (an atomic counter, no
 * other lock); the trim runs after the caller released its own room's lock, and takes one room's
 * lock at a time, so no thread ever holds two room locks and no two rooms can wait on each other.
 */
public final class HistoryBudget {

    private static final System.Logger LOG = System.getLogger(HistoryBudget.class.getName());
    /**
     * What a held message costs besides its text, in bytes, on a 64-bit JVM with compressed
     * pointers: its entry (24), its frame (40), the String (24), the text array's header (16) and
     * its slot in the history's deque, rounded up.
     */
    static final long ENTRY_OVERHEAD = 112;

    private final long limit;
    private final long lowWater;
    private final AtomicLong used = new AtomicLong();
    private final Set<History> histories = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean trimming = new AtomicBoolean();
    private final AtomicBoolean told = new AtomicBoolean();

    /** @param limitBytes what every room's history may hold together; {@link Long#MAX_VALUE}: no limit */
    public HistoryBudget(long limitBytes) {
        this.limit = limitBytes;
        this.lowWater = limitBytes - limitBytes / 10;
    }

    /** The budget of {@code CHAT_HISTORY_MAX_MB} megabytes. */
    public static HistoryBudget ofMegabytes(int megabytes) {
        return new HistoryBudget(megabytes * 1024L * 1024L);
    }

    /**
     * The heap a history spends on one message: its text as the JVM stores it (one byte a
     * character when every character is Latin-1, two otherwise; counted as two whenever the text
     * is not ASCII, which errs on the safe side) and the objects around it.
     */
    static long cost(Frame frame) {
        int chars = frame.json().length();
        long text = frame.bytes() == chars ? chars : 2L * chars;
        return ((text + 7) & ~7L) + ENTRY_OVERHEAD;
    }

    /** Bytes held now by every history together. */
    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }

    void register(History history) {
        histories.add(history);
    }

    void unregister(History history) {
        histories.remove(history);
    }

    /** Under the history's lock: it holds {@code bytes} more (or less, when negative). */
    void charge(long bytes) {
        used.addAndGet(bytes);
    }

    /**
     * When the histories hold more than the budget, trims the least recently active ones, oldest
     * messages first, until they hold at most nine tenths of it. Call it holding no room's lock.
     * One thread trims at a time; the others go on meanwhile (what they add is trimmed by the same
     * pass, which runs until the mark is reached).
     */
    public void enforce() {
        // A thread that went past the budget while another was trimming leaves it to that one,
        // which looks again once it has let go of the flag: nothing over the budget is left behind.
        while (used.get() > limit && trimming.compareAndSet(false, true)) {
            long dropped;
            try {
                dropped = trim();
            } finally {
                trimming.set(false);
            }
            if (dropped == 0) {
                return; // nothing left to drop (not expected: every byte counted is a held message)
            }
        }
    }

    /** One pass, by one thread at a time: the stalest rooms first, one room's lock at a time; how many it dropped. */
    private long trim() {
        record Stale(History history, long lastActive) {
        }
        List<Stale> all = new ArrayList<>(histories.size());
        for (History h : histories) {
            all.add(new Stale(h, h.lastActive)); // read once: the sort needs values that hold still
        }
        all.sort(Comparator.comparingLong(Stale::lastActive));
        int rooms = 0;
        long messages = 0;
        for (Stale stale : all) {
            if (used.get() <= lowWater) {
                break;
            }
            long dropped = 0;
            synchronized (stale.history().lock) {
                while (used.get() > lowWater && stale.history().dropOldest()) {
                    dropped++;
                }
            }
            if (dropped > 0) {
                rooms++;
                messages += dropped;
            }
        }
        // Once at INFO, so that an operator learns the budget is reached; after that, DEBUG.
        LOG.log(told.compareAndSet(false, true) ? Level.INFO : Level.DEBUG,
                "history budget of {0} MB reached: dropped the oldest {1} message(s) of {2} least recently"
                        + " active room(s); resumes from before them get recovered: false",
                limit >> 20, messages, rooms);
        return messages;
    }
}

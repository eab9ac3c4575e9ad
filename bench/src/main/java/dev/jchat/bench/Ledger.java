package dev.jchat.bench;

import java.util.BitSet;

/**
 * Every chat id one client received over its whole life, across its reconnects, and what was
 * wrong with the order: the evidence for "each once, in order, none missing". Ids in a room are
 * consecutive from 1, so a bit per id is enough. Not thread-safe: its client guards it.
 */
final class Ledger {

    private final BitSet seen = new BitSet();
    private long firstLastId = -1; // lastId of the first welcome: the client owes us every id after it
    private long maxId;
    private long duplicates;
    private long outOfOrder;

    /** A welcome with {@code lastId}; only the first one sets where the client's record starts. */
    void welcome(long lastId) {
        if (firstLastId < 0) {
            firstLastId = lastId;
        }
    }

    void chat(long id) {
        if (id <= 0 || id > Integer.MAX_VALUE) {
            outOfOrder++; // not an id of a room's sequence at all
            return;
        }
        if (seen.get((int) id)) {
            duplicates++;
            return;
        }
        seen.set((int) id);
        if (id < maxId) {
            outOfOrder++; // came after a later id: it fills a gap, but late
        } else {
            maxId = id;
        }
    }

    boolean started() {
        return firstLastId >= 0;
    }

    /** The room's lastId in the first welcome, -1 before it. */
    long firstLastId() {
        return firstLastId;
    }

    /** The newest id received: what a resume asks to continue after. */
    long maxId() {
        return maxId;
    }

    long duplicates() {
        return duplicates;
    }

    long outOfOrder() {
        return outOfOrder;
    }

    /** Ids published after the first welcome up to {@code lastPublished}: what this client must have. */
    long expected(long lastPublished) {
        return started() ? Math.max(0, lastPublished - firstLastId) : 0;
    }

    /** How many of the expected ids arrived (history replayed before them does not count). */
    long received(long lastPublished) {
        if (!started() || lastPublished <= firstLastId) {
            return 0;
        }
        return seen.get((int) firstLastId + 1, (int) lastPublished + 1).cardinality();
    }
}

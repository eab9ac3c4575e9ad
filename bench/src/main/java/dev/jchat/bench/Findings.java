package dev.jchat.bench;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the soak's well-behaved clients observed beyond their ledgers: how their connections
 * ended, resumes, and frames that should never have reached them. Thread-safe: every client's
 * callbacks add to one instance.
 */
final class Findings {

    private final String watched;
    private final AtomicLong watchedLeftAt = new AtomicLong();

    /** @param watched a name whose leave the members report: the stalled reader's, which cannot tell itself */
    Findings(String watched) {
        this.watched = watched;
    }

    /** A member saw {@code user} leave the room; the first report of the watched name counts. */
    void left(String user) {
        if (watched.equals(user)) {
            watchedLeftAt.compareAndSet(0, System.nanoTime());
        }
    }

    /** nanoTime at which a member first saw the watched name leave; 0 before. */
    long watchedLeftAt() {
        return watchedLeftAt.get();
    }

    /** Connections of the soak's clients that the server ended, by close code and reason. */
    final Tally closedByServer = new Tally();
    /** Error frames a client that only sends valid frames got, by code. */
    final Tally clientErrors = new Tally();
    /** Chat frames carrying the hostile client's name: each one a refused frame that was broadcast. */
    final LongAdder leaks = new LongAdder();
    /** Every chat id any member received: an id nobody got was published and then lost by all. */
    final Set<Long> delivered = ConcurrentHashMap.newKeySet();
    /** Chat frames whose text was cut, changed or put under another name. */
    final LongAdder corrupted = new LongAdder();
    /** Frames that were not one JSON object, or binary frames. */
    final LongAdder malformed = new LongAdder();
    final LongAdder resumes = new LongAdder();
    final LongAdder resumesRecovered = new LongAdder();
    /** Resumes whose new connection got no welcome in time. */
    final LongAdder resumesFailed = new LongAdder();
    /** Reconnects after a close the client did not ask for (as a real client would, with since). */
    final LongAdder unplannedReconnects = new LongAdder();
    /** Clients that stopped reconnecting after too many unplanned closes: their missing ids count as lost. */
    final LongAdder gaveUp = new LongAdder();
    /** Welcomes naming another epoch than the client's first: ids before and after are not comparable. */
    final LongAdder epochChanges = new LongAdder();
}

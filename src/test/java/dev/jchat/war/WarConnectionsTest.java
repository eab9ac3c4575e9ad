package dev.jchat.war;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How the WAR reads Tomcat's last read without trusting the wall clock it is kept in. */
class WarConnectionsTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void aReadCountsFromWhenItWasSeenWhateverTheWallClockDid() {
        WarConnections.ReadChanges changes = new WarConnections.ReadChanges();
        long start = 5 * SECOND;
        assertEquals(start, changes.seen(1_000_000L, start), "the first value seen counts from then");
        assertEquals(start, changes.seen(1_000_000L, start + 30 * SECOND), "no read since: still then");
        // A ping read 40 s in, just after the wall clock stepped an hour ahead: Tomcat writes the
        // stepped time. It is a read now, not an hour ago or ahead.
        long stepped = 1_000_000L + 3_600_000L + 40_000L;
        assertEquals(start + 40 * SECOND, changes.seen(stepped, start + 40 * SECOND));
        assertEquals(start + 40 * SECOND, changes.seen(stepped, start + 59 * SECOND));
        // and a step back: still a read when seen
        assertEquals(start + 61 * SECOND, changes.seen(1_000_000L - 60_000L, start + 61 * SECOND));
    }
}

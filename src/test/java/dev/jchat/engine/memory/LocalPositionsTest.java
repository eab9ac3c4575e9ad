package dev.jchat.engine.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.room.Positions;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Read positions and "my rooms" in memory: forward only, most recently active first, bounded. */
class LocalPositionsTest {

    private static List<String> rooms(Positions positions, String owner) {
        return positions.mine(owner).toCompletableFuture().join().stream().map(Positions.Mine::room).toList();
    }

    @Test
    void aPositionOnlyMovesForwardAndOwnersAreApart() {
        LocalPositions positions = new LocalPositions(Duration.ofDays(30));
        long now = System.currentTimeMillis();
        assertTrue(positions.read("alice", "r", 5, now).toCompletableFuture().join());
        assertFalse(positions.read("alice", "r", 5, now).toCompletableFuture().join());
        assertFalse(positions.read("alice", "r", 4, now).toCompletableFuture().join());
        assertTrue(positions.read("alice", "r", 6, now).toCompletableFuture().join());
        assertEquals(6, positions.mine("alice").toCompletableFuture().join().get(0).read());
        assertEquals(List.of(), rooms(positions, "alice|another key"));
    }

    @Test
    void theMostRecentlyActiveComeFirstAndAtMost200AreKept() {
        LocalPositions positions = new LocalPositions(Duration.ofDays(30));
        long now = System.currentTimeMillis();
        IntStream.range(0, 205).forEach(i -> positions.visited("alice", "r" + i, now - 1_000 + i));
        List<String> mine = rooms(positions, "alice");
        assertEquals(Positions.MAX_ROOMS, mine.size());
        assertEquals("r204", mine.get(0));
        assertEquals("r5", mine.get(199), "the five least recently active went");
        positions.read("alice", "r5", 1, now);
        assertEquals("r5", rooms(positions, "alice").get(0), "reading is activity");
        positions.forget("alice", "r5");
        assertFalse(rooms(positions, "alice").contains("r5"));
    }

    @Test
    void aRoomNotActiveForTheTimeKeptIsNoLongerMine() {
        LocalPositions positions = new LocalPositions(Duration.ofDays(30));
        long now = System.currentTimeMillis();
        positions.visited("alice", "old", now - Duration.ofDays(31).toMillis());
        positions.visited("alice", "new", now);
        assertEquals(List.of("new"), rooms(positions, "alice"));
    }

    @Test
    void atMostSoManyOwnersAreKeptTheLeastRecentlyUsedGoingFirst() {
        LocalPositions positions = new LocalPositions(Duration.ofDays(30));
        long now = System.currentTimeMillis();
        positions.visited("first", "r", now);
        positions.visited("second", "r", now);
        for (int i = 0; i < LocalPositions.MAX_OWNERS - 1; i++) {
            positions.visited("o" + i, "r", now);
            if (i == 0) {
                positions.mine("first"); // used again: "second" is now the least recently used
            }
        }
        assertEquals(List.of("r"), rooms(positions, "first"));
        assertEquals(List.of(), rooms(positions, "second"));
    }
}

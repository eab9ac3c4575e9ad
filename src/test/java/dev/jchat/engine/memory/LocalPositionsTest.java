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

    @Test
    void atMostSoManyRoomsOfAllOwnersTogetherAreKeptTheLeastRecentlyUsedOwnersGoingFirst() {
        LocalPositions positions = new LocalPositions(Duration.ofDays(30));
        long now = System.currentTimeMillis();
        int owners = LocalPositions.MAX_PLACES / Positions.MAX_ROOMS; // each with a full list: all of them fit
        for (int o = 0; o < owners; o++) {
            for (int r = 0; r < Positions.MAX_ROOMS; r++) {
                positions.visited("o" + o, "r" + r, now);
            }
        }
        positions.mine("o0"); // used again: "o1" is now the least recently used
        positions.visited("o1", "r0", now); // no new room: nobody goes
        assertEquals(Positions.MAX_ROOMS, rooms(positions, "o2").size());
        positions.visited("newcomer", "r", now);
        assertEquals(List.of("r"), rooms(positions, "newcomer"));
        assertEquals(List.of(), rooms(positions, "o3"), "the least recently used went to make room");
        assertEquals(Positions.MAX_ROOMS, rooms(positions, "o1").size(), "used since: kept");
        assertEquals(Positions.MAX_ROOMS, rooms(positions, "o4").size(), "one owner went, no more");
    }
}

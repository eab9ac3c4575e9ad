package dev.jchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class HistoryTest {

    private static History filled(int capacity, long upTo) {
        History history = new History(capacity);
        LongStream.rangeClosed(1, upTo).forEach(id -> history.add(id, Frame.of("m" + id)));
        return history;
    }

    private static List<Long> ids(List<History.Entry> entries) {
        return entries.stream().map(History.Entry::id).toList();
    }

    @Test
    void keepsOnlyTheNewestUpToCapacity() {
        History history = filled(5, 12);
        assertEquals(5, history.size());
        assertEquals(List.of(8L, 9L, 10L, 11L, 12L), ids(history.last(100)));
    }

    @Test
    void lastGivesTheNewestOldestFirst() {
        assertEquals(List.of(10L, 11L, 12L), ids(filled(5, 12).last(3)));
        assertEquals(List.of(), ids(filled(5, 12).last(0)));
        assertEquals(List.of(), ids(new History(5).last(3)));
    }

    @Test
    void afterGivesExactlyTheLaterOnes() {
        History history = filled(10, 12);
        assertEquals(List.of(10L, 11L, 12L), ids(history.after(9)));
        assertEquals(List.of(), ids(history.after(12)));
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L), ids(history.after(0)));
    }

    @Test
    void coversKnowsWhenTheGapIsLost() {
        History history = filled(5, 12); // holds 8..12
        assertTrue(history.covers(12, 12), "nothing missed");
        assertTrue(history.covers(7, 12), "8.. is all held");
        assertFalse(history.covers(6, 12), "7 is gone");
        assertTrue(new History(5).covers(0, 0), "an empty room misses nothing");
        assertFalse(new History(0).covers(0, 3), "no history at all");
    }

    @Test
    void idsMustIncrease() {
        History history = filled(5, 3);
        assertThrows(IllegalArgumentException.class, () -> history.add(3, Frame.of("again")));
    }

    @Test
    void capacityZeroHoldsNothing() {
        History history = filled(0, 3);
        assertEquals(0, history.size());
        assertEquals(List.of(), ids(history.after(0)));
    }
}

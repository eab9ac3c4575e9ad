package dev.jchat.room;

import dev.jchat.connection.Frame;
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
        LongStream.rangeClosed(1, upTo).forEach(id -> history.add(id, chat("m" + id)));
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
        assertTrue(history.covers(12), "nothing missed");
        assertTrue(history.covers(7), "8.. is all held");
        assertFalse(history.covers(6), "7 is gone");
        assertTrue(new History(5).covers(0), "an empty room misses nothing");
        assertFalse(filled(0, 3).covers(0), "no history at all");
    }

    @Test
    void coverageIsDecidedOnWhatIsHeldNotOnIdArithmetic() {
        History history = filled(10, 2); // holds 1, 2
        history.lost(5);                 // 3..5 never reached this server
        history.add(6, chat("m6"));
        history.add(7, chat("m7"));
        assertEquals(List.of(1L, 2L, 6L, 7L), ids(history.last(100)));
        assertFalse(history.covers(0), "1 and 2 are held, but 3..5 are not");
        assertFalse(history.covers(2), "3..5 are not held");
        assertFalse(history.covers(4), "5 is not held");
        assertTrue(history.covers(5), "6.. is all held");
        assertTrue(history.covers(7), "nothing missed");

        History skipping = new History(10); // ids that skip by design, with nothing lost between them
        skipping.add(2, chat("a"));
        skipping.add(5, chat("b"));
        skipping.add(9, chat("c"));
        assertTrue(skipping.covers(0), "everything is held");
        assertTrue(skipping.covers(3), "5 and 9 are held");
        skipping.add(10, chat("d"));
        skipping.dropOldest();            // 2 evicted
        assertFalse(skipping.covers(1), "2 is gone");
        assertTrue(skipping.covers(2), "5.. is all held, although 3 and 4 never existed");
    }

    @Test
    void aClearedHistoryCoversOnlyFromWhereItWasCleared() {
        History history = filled(10, 4);
        history.clear(7);
        history.add(8, chat("m8"));
        assertFalse(history.covers(4));
        assertTrue(history.covers(7));
    }

    @Test
    void idsMustIncrease() {
        History history = filled(5, 3);
        assertThrows(IllegalArgumentException.class, () -> history.add(3, chat("again")));
    }

    @Test
    void capacityZeroHoldsNothing() {
        History history = filled(0, 3);
        assertEquals(0, history.size());
        assertEquals(List.of(), ids(history.after(0)));
    }

    /**
     * A reaction storm on the newest message costs the oldest entries other than messages, never
     * the messages: the room keeps its history. (It emptied the room before.) A resume from
     * before an entry let go of is not covered.
     */
    @Test
    void aReactionStormKeepsTheMessagesAndLetsGoOfTheOldestEntries() {
        History history = new History(5);
        for (long id = 1; id <= 5; id++) {
            history.add(id, Frame.of(dev.jchat.message.FrameEncoder.toJson(
                    new dev.jchat.message.ChatMessage(id, "ann", java.time.Instant.EPOCH, "m" + id, "r"))));
        }
        long id = 5;
        for (int i = 0; i < 100; i++) {
            id++;
            var reaction = new dev.jchat.message.LogEntry.Reaction("r", id, 5, "bob", "👍", i % 2 == 0,
                    java.time.Instant.EPOCH);
            history.add(id, Frame.of(dev.jchat.message.FrameEncoder.toJson(reaction)), reaction);
        }
        assertEquals(5, history.size(), "every message is still held");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), ids(history.last(10)));
        List<History.Entry> replay = history.after(5);
        assertEquals(5 * History.ENTRIES_PER_MESSAGE, replay.size(), "the newest entries, within the bound");
        assertEquals(id, replay.get(replay.size() - 1).id());
        long oldestKept = replay.get(0).id();
        assertTrue(history.covers(oldestKept - 1));
        assertFalse(history.covers(oldestKept - 2), "an entry let go of: a resume from before it is not covered");
        assertFalse(history.message(5).reactions() != null, "the last reaction cleared it");
    }

    /** A chat message's frame as the encoder writes it (its type first), with {@code text} in it. */
    static Frame chat(String text) {
        return Frame.of("{\"type\":\"chat\",\"msg\":\"" + text + "\"}");
    }
}

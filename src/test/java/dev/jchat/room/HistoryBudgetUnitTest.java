package dev.jchat.room;

import dev.jchat.connection.Frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The budget's rules on histories alone: who loses what, what is refunded, and many rooms at once. */
class HistoryBudgetUnitTest {

    private static final Frame MESSAGE = HistoryTest.chat("x".repeat(1000 - 28));

    private static void fill(History history, long from, long to, HistoryBudget budget) {
        for (long id = from; id <= to; id++) {
            synchronized (history.lock) {
                history.add(id, MESSAGE);
            }
            budget.enforce();
        }
    }

    @Test
    void theLeastRecentlyActiveRoomLosesItsOldestMessagesFirst() throws Exception {
        long each = HistoryBudget.cost(MESSAGE);
        HistoryBudget budget = new HistoryBudget(20 * each);
        History stale = new History(1000, budget, null);
        History busy = new History(1000, budget, null);
        fill(stale, 1, 10, budget);
        Thread.sleep(1); // the budget orders rooms by the time of their newest message
        fill(busy, 1, 10, budget);
        assertEquals(20 * each, budget.used(), "at the budget, nothing is dropped");
        assertTrue(stale.covers(0));

        fill(busy, 11, 11, budget); // past it: down to nine tenths, from the stale room
        assertTrue(budget.used() <= 18 * each, "trimmed to nine tenths: " + budget.used() / each);
        assertEquals(11, busy.size(), "the active room keeps everything");
        assertEquals(7, stale.size());
        assertFalse(stale.covers(2), "its oldest three went");
        assertTrue(stale.covers(3));
        assertEquals(List.of(4L, 5L), stale.last(7).subList(0, 2).stream().map(History.Entry::id).toList());
    }

    @Test
    void aForgottenRoomIsRefundedAndHoldsNothingMore() {
        HistoryBudget budget = new HistoryBudget(Long.MAX_VALUE);
        History history = new History(1000, budget, null);
        fill(history, 1, 5, budget);
        assertEquals(5 * HistoryBudget.cost(MESSAGE), budget.used());
        history.release();
        assertEquals(0, budget.used());
        history.add(6, MESSAGE);
        assertEquals(0, budget.used());
        assertEquals(0, history.size());
    }

    @Test
    void aHistoryKeepsTheTextOnceWithoutItsWireCopy() {
        Frame sent = Frame.of("{\"type\":\"chat\"}");
        sent.wire();
        History history = new History(10);
        history.add(1, sent);
        Frame kept = history.last(1).get(0).frame;
        assertTrue(kept.json() == sent.json(), "the text is shared, not copied");
        assertEquals(sent.wire(), kept.wire(), "the same bytes are framed again on demand");
    }

    /** Rooms filled at once from many threads, each trimming others: no deadlock, and the budget holds. */
    @Test
    void manyRoomsAtOnceStayWithinTheBudget() throws Exception {
        long each = HistoryBudget.cost(MESSAGE);
        HistoryBudget budget = new HistoryBudget(200 * each);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                for (int room = 0; room < 50; room++) {
                    fill(new History(1000, budget, new Object()), 1, 40, budget);
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertTrue(budget.used() <= 200 * each, "held " + budget.used() / each + " messages for a budget of 200");
        assertTrue(budget.used() >= 150 * each, "trimmed no further than needed: " + budget.used() / each);
    }
}

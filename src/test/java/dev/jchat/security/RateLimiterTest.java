package dev.jchat.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long START = 5 * SECOND; // any point of the nano clock

    /** Tries {@code frames} frames spread evenly from {@code from} over {@code nanos}; returns how many passed. */
    private static int offer(RateLimiter limiter, int frames, long from, long nanos) {
        int passed = 0;
        for (int i = 0; i < frames; i++) {
            if (limiter.tryAcquire(from + nanos * i / frames)) {
                passed++;
            }
        }
        return passed;
    }

    @Test
    void aBurstPassesThenTheRate() {
        RateLimiter limiter = new RateLimiter(10, 30, START);
        assertEquals(30, offer(limiter, 40, START, 0), "the burst at once");
        assertEquals(10, offer(limiter, 10, START + SECOND, 0), "a second later, a second's worth");
        assertFalse(limiter.abusive(), "eleven refusals are a burst, not abuse");
    }

    @Test
    void aSenderWithinTheRateIsNeverRefused() {
        RateLimiter limiter = new RateLimiter(10, 30, START);
        assertEquals(600, offer(limiter, 600, START, 60 * SECOND));
    }

    @Test
    void moreThanAHundredRefusalsWithinTenSecondsAreAbuse() {
        RateLimiter limiter = new RateLimiter(10, 30, START);
        offer(limiter, 30 + 100, START, 0);
        assertFalse(limiter.abusive(), "a hundred refusals are allowed");
        offer(limiter, 1, START, 0);
        assertTrue(limiter.abusive());
    }

    @Test
    void refusalsSpreadOverMoreThanTheWindowAreNotAbuse() {
        RateLimiter limiter = new RateLimiter(10, 30, START);
        offer(limiter, 30, START, 0);
        // 20 frames a second for 30 s: 10 pass and 10 are refused each second, 100 in each window
        offer(limiter, 20 * 30 - 1, START, 30 * SECOND);
        assertFalse(limiter.abusive());
    }

    @Test
    void aFloodStraddlingTheTenthSecondAfterConnectingIsAbuse() {
        RateLimiter limiter = new RateLimiter(10, 30, START);
        // 180 frames in 20 ms, from 10 ms before the tenth second of the connection: a window counted
        // from the connection's start would split the 150 refusals in two, 60 and 90
        long flood = START + 10 * SECOND - 10_000_000L;
        assertEquals(30, offer(limiter, 180, flood, 20_000_000L));
        assertTrue(limiter.abusive());
    }
}

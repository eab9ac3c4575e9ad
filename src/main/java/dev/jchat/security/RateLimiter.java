package dev.jchat.security;

/**
 * One connection's chat rate: a token bucket, and a count of refusals that tells sustained
 * abuse from a burst. Not thread-safe: a connection's frames arrive one at a time.
 */
public final class RateLimiter {

    /** More refusals than this within {@link #ABUSE_WINDOW_NANOS} is abuse. */
    public static final int ABUSE_REFUSALS = 100;
    public static final long ABUSE_WINDOW_NANOS = 10_000_000_000L;

    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;
    private long windowStart;
    private int refusedInWindow;

    /** A limiter that allows {@code perSecond} on average and {@code burst} at once. */
    public RateLimiter(int perSecond, int burst, long nowNanos) {
        if (perSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive: " + perSecond + ", " + burst);
        }
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = nowNanos;
    }

    /** Takes one token; false when the frame is over the rate and must be dropped. */
    public boolean tryAcquire(long nowNanos) {
        tokens = Math.min(burst, tokens + (nowNanos - last) * perNano);
        last = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        if (refusedInWindow == 0 || nowNanos - windowStart > ABUSE_WINDOW_NANOS) {
            windowStart = nowNanos; // a window opens with its first refusal, wherever the last one ended
            refusedInWindow = 0;
        }
        refusedInWindow++;
        return false;
    }

    /** True once more than {@link #ABUSE_REFUSALS} frames were refused within the window. */
    public boolean abusive() {
        return refusedInWindow > ABUSE_REFUSALS;
    }
}

package dev.jchat.connection;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads an owner makes for its pools, kept so that it can wait for them to end when it
 * stops. A pool says it has terminated while its threads are still returning, and a web
 * container looks for threads an application left behind as soon as the application stops: it
 * would report those. Thread-safe.
 */
public final class Threads {

    private final List<Thread> made = new CopyOnWriteArrayList<>();

    /** Daemon threads named {@code prefix} and a number. */
    public ThreadFactory daemons(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return keep(runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The threads {@code factory} makes, kept. */
    public ThreadFactory keep(ThreadFactory factory) {
        return runnable -> {
            Thread thread = factory.newThread(runnable);
            made.removeIf(old -> old.getState() == Thread.State.TERMINATED); // a pool that replaced a thread
            made.add(thread);
            return thread;
        };
    }

    /**
     * Waits for every thread made to end, {@code within} at most in all, once their pools are shut
     * down. Returns whether they all did; on an interrupt, returns false with the interrupt kept.
     */
    public boolean join(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        try {
            for (Thread thread : made) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left > 0) {
                    thread.join(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return made.stream().noneMatch(Thread::isAlive);
    }
}

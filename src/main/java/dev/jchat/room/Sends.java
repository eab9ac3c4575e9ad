package dev.jchat.room;

import dev.jchat.connection.Frame;
import dev.jchat.connection.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * What one change to a room leaves to do once its lock is released: the outboxes it made busy,
 * whose sends start then, and the history budget's trim when the change stored a message. Where
 * the sends run is the engine's choice, made when it creates the room's {@link Audience}: on the
 * caller's thread (the memory engine: the sender's thread fans out, no hand-over), or on an
 * executor (Redis: the room's task goes on queueing meanwhile). A thread that applies many
 * changes one after another, as the publish hook's does for a room's messages in their order,
 * hands the sends of the changes it makes to an executor instead ({@link #handingOff}): else it
 * would write every member's frames of every message itself, one message after another.
 *
 * <p>Not thread-safe: filled under one room's lock by one thread, then started once by it.
 */
public final class Sends {

    /** Connections whose sends one task starts, when the sends run on an executor. */
    static final int PER_TASK = 128;

    /** Where the sends of changes made on this thread run, when not the room's own choice. */
    private static final ThreadLocal<Executor> HANDED_OFF = new ThreadLocal<>();

    private final Executor where;
    private final List<Member> busy = new ArrayList<>();
    private HistoryBudget budget; // to enforce after the sends started; null when nothing was stored
    private Runnable then;        // what the change leaves to do after its sends, with no lock held; or null

    Sends(Executor where) {
        Executor elsewhere = HANDED_OFF.get();
        this.where = elsewhere != null ? elsewhere : where;
    }

    /** Makes the changes {@code apply} makes on this thread start their sends on {@code executor}. */
    public static <T> T handingOff(Executor executor, Supplier<T> apply) {
        Executor before = HANDED_OFF.get();
        HANDED_OFF.set(executor);
        try {
            return apply.get();
        } finally {
            if (before == null) {
                HANDED_OFF.remove();
            } else {
                HANDED_OFF.set(before);
            }
        }
    }

    /** With the room's lock held: queues the frame to the member. */
    void queue(Member member, Frame frame) {
        if (member.outbox().enqueue(frame)) {
            busy.add(member);
        }
    }

    /** With the room's lock held: queues a joiner's welcome and backlog. */
    void queueJoin(Member member, Frame welcome, List<Frame> backlog) {
        if (member.outbox().enqueueJoin(welcome, backlog)) {
            busy.add(member);
        }
    }

    /** Room for {@code more} members, so that a fan-out allocates once, not once per doubling. */
    void expect(int more) {
        if (busy instanceof ArrayList<Member> list) {
            list.ensureCapacity(busy.size() + more);
        }
    }

    /** A message was stored: the budget of every room's history is checked once the sends started. */
    void thenEnforce(HistoryBudget historyBudget) {
        this.budget = historyBudget;
    }

    /** What to do once the sends started, holding no lock (a moderator's removal of a name from the room). */
    void then(Runnable after) {
        this.then = after;
    }

    /**
     * Starts the sends of the outboxes that were idle, in parts of {@link #PER_TASK} connections,
     * then trims the histories if a message was stored. Call it once, holding no room's lock.
     */
    public void start() {
        for (int from = 0; from < busy.size(); from += PER_TASK) {
            List<Member> part = busy.subList(from, Math.min(busy.size(), from + PER_TASK));
            where.execute(() -> {
                for (Member m : part) {
                    m.outbox().drain();
                }
            });
        }
        if (budget != null) {
            budget.enforce(); // it may trim other rooms, one lock at a time
        }
        if (then != null) {
            then.run();
        }
    }
}

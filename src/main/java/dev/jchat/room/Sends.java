package dev.jchat.room;

import dev.jchat.connection.Frame;
import dev.jchat.connection.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * What one change to a room leaves to do once its lock is released: the outboxes it made busy,
 * whose sends start then, and the history budget's trim when the change stored a message. Where
 * the sends run is the engine's choice, made when it creates the room's {@link Audience}: on the
 * caller's thread (the memory engine: the sender's thread fans out, no hand-over), or on an
 * executor (Redis: the room's task goes on queueing meanwhile).
 *
 * <p>Not thread-safe: filled under one room's lock by one thread, then started once by it.
 */
public final class Sends {

    /** Connections whose sends one task starts, when the sends run on an executor. */
    static final int PER_TASK = 128;

    private final Executor where;
    private final List<Member> busy = new ArrayList<>();
    private HistoryBudget budget; // to enforce after the sends started; null when nothing was stored
    private Runnable then;        // what the change leaves to do after its sends, with no lock held; or null

    Sends(Executor where) {
        this.where = where;
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

package dev.jchat.hook;

import dev.jchat.room.Sends;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * One room's messages in the order they came, whatever order the hook answers them in: a
 * pipeline per room. Each message's call to the hook starts at once, so the calls of a busy room
 * are in flight together and a room's throughput is not one hook round trip per message; their
 * verdicts are applied in arrival order, each once the ones before it were. (A serial queue per
 * room, one call at a time, would be simpler, but would cap a room at 1 / latency messages a
 * second: 200 a second with a 5 ms hook.) A room with nothing waiting holds no lane. Thread-safe:
 * a lane's lock guards its queue only, and nothing is applied, and no hook called, under it.
 */
final class RoomLanes {

    private static final System.Logger LOG = System.getLogger(RoomLanes.class.getName());

    /** One message in its room's lane: its verdict on its way, and what to do with it. */
    private static final class Step<V> {
        final CompletableFuture<V> verdict;
        final Function<V, CompletionStage<?>> apply;

        Step(CompletableFuture<V> verdict, Function<V, CompletionStage<?>> apply) {
            this.verdict = verdict;
            this.apply = apply;
        }

        CompletionStage<?> run() {
            return apply.apply(verdict.join()); // done: only a done step is run
        }
    }

    /** A room's messages waiting for their turn. */
    private final class Lane {
        private final String room;
        private final ArrayDeque<Step<?>> steps = new ArrayDeque<>(); // guarded by this
        private boolean running;   // a thread applies this lane's steps now; guarded by this

        Lane(String room) {
            this.room = room;
        }

        /**
         * Applies the done steps at the head, in order, on the calling thread; one thread at a time.
         * A step whose application is still on its way (an API post to Redis) holds the next ones
         * until it is done.
         */
        void drain() {
            while (true) {
                Step<?> head;
                synchronized (this) {
                    if (running) {
                        return; // the thread that runs it sees what this one made ready
                    }
                    head = steps.peek();
                    if (head == null || !head.verdict.isDone()) {
                        break;
                    }
                    steps.poll();
                    running = true;
                }
                CompletionStage<?> applied;
                try {
                    applied = Sends.handingOff(sends, head::run); // this thread goes on with the next one
                } catch (RuntimeException e) { // a bug, or an engine already closed: the room's next ones go on
                    // its class only: an engine's error may quote the command, and with it a message's text
                    LOG.log(System.Logger.Level.WARNING, "a message of a room was not applied: " + e.getClass().getName());
                    applied = CompletableFuture.failedFuture(e);
                }
                CompletableFuture<?> done = applied.toCompletableFuture();
                if (!done.isDone()) {
                    done.whenComplete((result, error) -> {
                        release();
                        drain();
                    });
                    return;
                }
                release();
            }
            lanes.computeIfPresent(room, (name, lane) -> {
                synchronized (lane) { // added to under the map's lock too: nothing comes in between
                    return lane.steps.isEmpty() && !lane.running ? null : lane;
                }
            });
        }

        private synchronized void release() {
            running = false;
        }
    }

    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
    private final Executor sends;

    /** @param sends where the sends of the messages applied here run (not the thread that applies them) */
    RoomLanes(Executor sends) {
        this.sends = sends;
    }

    /**
     * Queues a message of {@code room}: once {@code verdict} is done and every message of the room
     * queued before it was applied, {@code apply} runs with it (on the thread that completed the
     * last of those). What {@code apply} answers holds the room's next messages until it is done.
     * {@code apply} must not fail: a failure is the caller's to report.
     */
    <V> void queue(String room, CompletableFuture<V> verdict, Function<V, CompletionStage<?>> apply) {
        Step<V> step = new Step<>(verdict, apply);
        Lane lane = lanes.compute(room, (name, held) -> {
            Lane in = held != null ? held : new Lane(name);
            synchronized (in) {
                in.steps.add(step);
            }
            return in;
        });
        verdict.whenComplete((result, error) -> lane.drain());
    }

    /** Rooms with messages waiting: for tests that look for leaks. */
    int waiting() {
        return lanes.size();
    }
}

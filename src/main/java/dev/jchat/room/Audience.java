package dev.jchat.room;

import dev.jchat.message.FrameEncoder;
import dev.jchat.message.Join;
import dev.jchat.message.Leave;
import dev.jchat.message.ServerFrame;
import dev.jchat.message.Typing;
import dev.jchat.message.Welcome;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.LongFunction;

/**
 * What one server holds of one room, whichever engine carries it: the members connected here,
 * how many connections each name has here, the names online in the whole room, the newest
 * messages, and the one order in which all of it is queued to the members. Both engines drive
 * it: the in-memory engine numbers messages itself ({@link #publishNext}); the Redis engine
 * hands it what Redis numbered, in order ({@link #deliver}).
 *
 * <p>Thread-safe: one lock orders ids, history, presence and the queueing of every frame, so all
 * members see one order; the sends start after the lock is released, each from its own outbox.
 */
public final class Audience {

    /** What became of a join. */
    public enum Joined {
        /** The member is in the room. */
        IN,
        /** The room was retired meanwhile: join its successor. */
        RETIRED,
        /** The connection closed while it was joining: it stays out. */
        GONE
    }

    /** Rooms with at least this many connections here coalesce their presence announcements. */
    static final int COALESCE_AT = 100;
    static final long COALESCE_MILLIS = 100;
    /** Connections whose sends one task starts, when the sends run elsewhere. */
    static final int SENDS_PER_TASK = 128;
    private static final long TYPING_NANOS = 1_000_000_000L;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Room room;
    private final int replay;
    private final History history;
    private final HistoryBudget budget;
    private final SharedPresence shared;
    private final BiConsumer<Runnable, Duration> timer;
    private final Executor sends;
    private final Set<Member> members = new LinkedHashSet<>();
    private final Map<String, Integer> here = new HashMap<>(); // name -> connections on this server
    private final TreeSet<String> online = new TreeSet<>();    // names in the room, on any server
    private final TreeSet<String> announced = new TreeSet<>(); // names the members were last told are here
    private final Map<String, Long> typed = new HashMap<>();   // name -> when it last said it is typing (nanos)
    private boolean announcing;                                // a coalesced announcement is due
    private String epoch;
    private long lastId;
    private boolean retired;

    /**
     * How an engine that spans servers learns which names this server has in the room. Called
     * with the audience's lock held, in the order of the changes: it must not block.
     */
    public interface SharedPresence {

        /** The name has its first connection here, or is still here (see {@link #refreshPresence}). */
        void here(String name);

        /** The name's last connection here closed. */
        void gone(String name);
    }

    /**
     * @param room    the room this is the local part of, for {@link Member#enter}
     * @param budget  the heap the histories of every room on this server share
     * @param shared  null: a name is online while it has a connection here (this server is the
     *                whole room); else the engine is told of the names here, says who is online
     *                anywhere ({@link #online}), and a name leaves only when it says so
     * @param timer   runs a task once after a delay, without blocking
     * @param sends   where the sends a change started run, in parts of {@link #SENDS_PER_TASK}
     *                connections; null: on the caller's thread, before the call returns
     */
    public Audience(Room room, String epoch, int historySize, HistoryBudget budget, int replay, SharedPresence shared,
                    BiConsumer<Runnable, Duration> timer, Executor sends) {
        this.room = room;
        this.epoch = epoch;
        this.replay = replay;
        this.history = new History(historySize, budget, this);
        this.budget = budget;
        this.shared = shared;
        this.timer = timer;
        this.sends = sends;
    }

    /**
     * Adds the member and queues, in order, its welcome and the history it should see; later
     * frames reach it live. A named member counts as a connection of its name here.
     */
    public Joined join(Member member, Long since, String clientEpoch) {
        List<Member> kick = new ArrayList<>();
        synchronized (this) {
            if (retired) {
                return Joined.RETIRED;
            }
            if (!member.enter(room)) {
                return Joined.GONE;
            }
            List<History.Entry> backlog;
            boolean recovered;
            if (since == null) {
                backlog = history.last(replay);
                recovered = true;
            } else if (clientEpoch != null && !clientEpoch.equals(epoch) || since > lastId) {
                backlog = history.last(replay); // ids from another sequence: nothing to compare
                recovered = false;
            } else {
                backlog = history.after(since);
                recovered = history.covers(since);
            }
            members.add(member);
            String user = member.name();
            if (user != null) {
                countHere(member, user, kick);
            }
            Welcome welcome = new Welcome(user, room.name(), List.copyOf(online), lastId, epoch, recovered, member.key());
            if (member.outbox().enqueueJoin(Frame.of(FrameEncoder.toJson(welcome)),
                    backlog.stream().map(History.Entry::frame).toList())) {
                kick.add(member);
            }
            member.welcomed(room); // frames from outside the room may follow now
        }
        drain(kick);
        return Joined.IN;
    }

    /** Names a member that joined without a name. */
    public void name(Member member, String user) {
        List<Member> kick = new ArrayList<>();
        synchronized (this) {
            member.name(user);
            if (members.contains(member)) {
                countHere(member, user, kick);
            }
        }
        drain(kick);
    }

    /**
     * Removes a member. When it was its name's last connection here, the name leaves the room at
     * once, or, with shared presence, when the engine says so.
     */
    public void leave(Member member) {
        leave(member, null);
    }

    /**
     * Removes a member, as above, and queues {@code farewell} to it (version 3's
     * {@code unsubscribed}) after the last frame of the room it gets: nothing of the room follows.
     * The farewell goes also when the member was not in the room (it was still joining).
     */
    public void leave(Member member, Frame farewell) {
        List<Member> kick = new ArrayList<>();
        synchronized (this) {
            if (farewell != null && member.outbox().enqueue(farewell)) {
                kick.add(member);
            }
            if (!members.remove(member)) {
                drain(kick);
                return;
            }
            String user = member.name();
            if (user != null && here.merge(user, -1, Integer::sum) == 0) {
                here.remove(user);
                typed.remove(user);
                if (shared == null) {
                    online.remove(user);
                    announce(null, kick);
                } else {
                    shared.gone(user);
                }
            }
        }
        drain(kick);
    }

    /** Tells the shared presence again of every name here, so that it does not expire them. */
    public synchronized void refreshPresence() {
        here.keySet().forEach(shared::here);
    }

    /** Answers the member alone with older messages: what {@link Room#history} promises. */
    public void history(Member to, Long before, int limit) {
        String answer;
        synchronized (this) {
            List<History.Entry> page = history.before(before, limit);
            long oldest = page.isEmpty() ? (before == null ? Long.MAX_VALUE : before) : page.get(0).id();
            answer = FrameEncoder.history(room.name(), page.stream().map(e -> e.frame().json()).toList(),
                    history.holdsBefore(oldest));
        }
        to.send(answer);
    }

    /**
     * Whether the member's name may say it is typing now: at most once a second per name, counted
     * on this server. A member not in the room (or without a name) may not.
     */
    public synchronized boolean mayType(Member from, long nowNanos) {
        String user = from.name();
        if (user == null || !members.contains(from)) {
            return false;
        }
        Long last = typed.get(user);
        if (last != null && nowNanos - last < TYPING_NANOS) {
            return false;
        }
        typed.put(user, nowNanos);
        return true;
    }

    /** Tells every member here whose name is not {@code user} that {@code user} is typing. */
    public void relayTyping(String user) {
        List<Member> kick = new ArrayList<>();
        synchronized (this) {
            Frame frame = Frame.of(FrameEncoder.toJson(new Typing(user, room.name())));
            for (Member m : members) {
                if (!user.equals(m.name()) && m.outbox().enqueue(frame)) {
                    kick.add(m);
                }
            }
        }
        drain(kick);
    }

    /** Distinct names online in the room, on any server. */
    public synchronized int onlineCount() {
        return online.size();
    }

    /** Whether the member is in the room (it may have been given up on while its message was on the way). */
    public synchronized boolean contains(Member member) {
        return members.contains(member);
    }

    /** True when nobody is connected to the room here. */
    public synchronized boolean isEmpty() {
        return members.isEmpty();
    }

    /** Retires the room if nobody is in it, so that its engine can forget it; false if someone is. */
    public synchronized boolean retireIfEmpty() {
        if (retired || !members.isEmpty()) {
            return false;
        }
        retired = true;
        history.release(); // forgotten by its engine: its messages no longer count against the budget
        return true;
    }

    /** The room's epoch and newest id as this server has them. */
    public synchronized long lastId() {
        return lastId;
    }

    public synchronized String epoch() {
        return epoch;
    }

    /** The frame this server holds of message {@code id}, or null when it holds none. */
    public synchronized Frame held(long id) {
        return history.find(id);
    }

    /** Numbers, stores and queues the next message: the in-memory engine's publish. */
    public void publishNext(LongFunction<Frame> frameWithId) {
        List<Member> kick = new ArrayList<>();
        synchronized (this) {
            long id = lastId + 1;
            Frame frame = frameWithId.apply(id);
            lastId = id;
            history.add(id, frame);
            queueToAll(frame, null, kick);
        }
        drain(kick);
        budget.enforce(); // outside the lock: it may trim other rooms, one lock at a time
    }

    /**
     * Stores and queues a message numbered elsewhere. Ids at or below {@link #lastId()} are
     * ignored (already delivered); the caller hands them over in order, and tells of a gap it could
     * not fill first ({@link #lost}).
     */
    public void deliver(long id, Frame frame) {
        List<Member> kick = new ArrayList<>();
        synchronized (this) {
            if (id <= lastId) {
                return;
            }
            lastId = id;
            history.add(id, frame);
            queueToAll(frame, null, kick);
        }
        drain(kick);
        budget.enforce(); // outside the lock: it may trim other rooms, one lock at a time
    }

    /**
     * The engine will never have the messages after {@link #lastId()} up to {@code upTo}: a client
     * that saw less than {@code upTo} is not told it missed nothing.
     */
    public synchronized void lost(long upTo) {
        history.lost(upTo);
    }

    /**
     * Loads what the engine holds of the room before anyone joins here: its epoch, newest id, the
     * newest messages (oldest first) and the names online.
     */
    public void load(String epoch, long lastId, List<Long> ids, List<Frame> frames, Collection<String> names) {
        loadLocked(epoch, lastId, ids, frames, names);
        budget.enforce();
    }

    private synchronized void loadLocked(String epoch, long lastId, List<Long> ids, List<Frame> frames,
                                         Collection<String> names) {
        this.epoch = epoch;
        this.lastId = lastId;
        history.clear(ids.isEmpty() ? lastId : ids.get(0) - 1); // what came before the first message held is gone here
        for (int i = 0; i < ids.size(); i++) {
            history.add(ids.get(i), frames.get(i));
        }
        online.clear();
        online.addAll(names);
        announced.clear();
        announced.addAll(names);
    }

    /** The engine says these names came into the room, or left it, on some server. */
    public void online(Collection<String> came, Collection<String> left) {
        List<Member> kick = new ArrayList<>();
        synchronized (this) {
            boolean changed = online.addAll(came);
            for (String name : left) {
                if (!here.containsKey(name)) { // one still connected here is in the room, whatever was missed
                    changed |= online.remove(name);
                }
            }
            if (changed) {
                announce(null, kick);
            }
        }
        drain(kick);
    }

    /** The engine says exactly these names are in the room, on some server (besides those here). */
    public void onlineAre(Collection<String> names) {
        List<String> left;
        synchronized (this) {
            left = online.stream().filter(name -> !names.contains(name)).toList();
        }
        online(names, left);
    }

    /** Closes every member, for a room whose sequence was lost: they come back to its new epoch. */
    public void closeAll(jakarta.websocket.CloseReason reason) {
        List<Member> all;
        synchronized (this) {
            all = List.copyOf(members);
        }
        all.forEach(m -> m.close(reason));
    }

    /**
     * Starts the room over under {@code newEpoch} with no message, and closes every member with
     * {@code reason}: a direct conversation whose claims changed, whose history is not the new
     * claimant's to read. Those in the room now are the ones closed; whoever joins after sees only
     * the new epoch.
     */
    public void startOver(String newEpoch, jakarta.websocket.CloseReason reason) {
        List<Member> all;
        synchronized (this) {
            epoch = newEpoch;
            lastId = 0;
            history.clear(0); // a new sequence, nothing of the old one held
            all = List.copyOf(members);
        }
        all.forEach(m -> m.close(reason));
    }

    /** With the lock held: one more connection of the name here; its first is online at once. */
    private void countHere(Member member, String user, List<Member> kick) {
        if (here.merge(user, 1, Integer::sum) != 1) {
            return;
        }
        if (shared != null) {
            shared.here(user);
        }
        if (online.add(user)) {
            announce(member, kick);
        }
    }

    /**
     * With the lock held, after presence changed: tells the room at once while it is small and
     * quiet. In a big room (a crowd arriving, thousands coming back after a restart) the changes
     * of the next {@link #COALESCE_MILLIS} are told together, one {@code join} and one
     * {@code leave} naming every name, so a crowd of n costs n frames each rather than n².
     */
    private void announce(Member joiner, List<Member> kick) {
        if (announcing) {
            return; // the coming announcement tells this change too
        }
        if (members.size() >= COALESCE_AT) {
            announcing = true;
            timer.accept(this::announceNow, Duration.ofMillis(COALESCE_MILLIS));
        }
        queueAnnouncements(joiner, kick);
    }

    /** The coalesced announcement. */
    private void announceNow() {
        List<Member> kick = new ArrayList<>();
        synchronized (this) {
            announcing = false;
            queueAnnouncements(null, kick);
        }
        drain(kick);
    }

    /** With the lock held: what changed since the last announcement, to everyone but {@code joiner}. */
    private void queueAnnouncements(Member joiner, List<Member> kick) {
        List<String> left = announced.stream().filter(name -> !online.contains(name)).toList();
        List<String> joined = online.stream().filter(name -> !announced.contains(name)).toList();
        announced.removeAll(left);
        announced.addAll(joined);
        if (!left.isEmpty()) {
            Leave leave = new Leave(left.get(0), left.size() == 1 ? null : left, now(), online.size(), room.name());
            queueToAll(Frame.of(FrameEncoder.toJson(leave)), null, kick);
        }
        if (!joined.isEmpty()) {
            ServerFrame join = new Join(joined.get(0), joined.size() == 1 ? null : joined, now(), online.size(), room.name());
            queueToAll(Frame.of(FrameEncoder.toJson(join)), joined.size() == 1 ? joiner : null, kick);
        }
    }

    /** With the lock held: one encoded frame to every member but {@code except}. */
    private void queueToAll(Frame frame, Member except, List<Member> kick) {
        if (kick instanceof ArrayList<Member> list) {
            list.ensureCapacity(kick.size() + members.size()); // one allocation, not one per doubling
        }
        for (Member m : members) {
            if (m != except && m.outbox().enqueue(frame)) {
                kick.add(m);
            }
        }
    }

    /** Starts the sends of the outboxes that were idle; outside the lock. */
    private void drain(List<Member> kick) {
        if (sends == null) {
            for (Member m : kick) {
                m.outbox().drain();
            }
            return;
        }
        for (int from = 0; from < kick.size(); from += SENDS_PER_TASK) {
            List<Member> part = kick.subList(from, Math.min(kick.size(), from + SENDS_PER_TASK));
            sends.execute(() -> {
                for (Member m : part) {
                    m.outbox().drain();
                }
            });
        }
    }

    /** A new epoch: names an id sequence that starts now. */
    public static String newEpoch() {
        return Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }

    /** The time stamp of a frame made now, to the millisecond as PROTOCOL.md shows it. */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}

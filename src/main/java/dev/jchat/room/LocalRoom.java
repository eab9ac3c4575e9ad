package dev.jchat.room;

import dev.jchat.message.ChatMessage;
import dev.jchat.message.FrameEncoder;
import dev.jchat.message.Join;
import dev.jchat.message.Leave;
import dev.jchat.message.ServerFrame;
import dev.jchat.message.Welcome;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A room in memory. Thread-safe: one lock orders ids, history, presence and the queueing of
 * every frame, so all members see one order; the sends themselves start after the lock is
 * released, each from its own outbox.
 */
final class LocalRoom implements Room {

    /** What became of a join. */
    enum Joined {
        /** The member is in the room. */
        IN,
        /** The room was forgotten meanwhile: join its successor. */
        RETIRED,
        /** The connection closed while it was joining: it stays out. */
        GONE
    }

    /** Rooms with at least this many connections coalesce their presence announcements. */
    static final int COALESCE_AT = 100;
    static final long COALESCE_MILLIS = 100;

    private final LocalRooms registry;
    private final String name;
    private final String epoch;
    private final int replay;
    private final History history;
    private final Set<Member> members = new LinkedHashSet<>();
    private final TreeMap<String, Integer> presence = new TreeMap<>(); // name -> open connections
    private final TreeSet<String> announced = new TreeSet<>();         // names the room was last told are here
    private boolean announcing;                                        // a coalesced announcement is due
    private long lastId;
    private boolean retired;

    LocalRoom(LocalRooms registry, String name, String epoch, int historySize, int replay) {
        this.registry = registry;
        this.name = name;
        this.epoch = epoch;
        this.replay = replay;
        this.history = new History(historySize);
    }

    @Override
    public String name() {
        return name;
    }

    Joined join(Member member, Long since, String clientEpoch) {
        List<Member> kick = new ArrayList<>();
        synchronized (this) {
            if (retired) {
                return Joined.RETIRED;
            }
            if (!member.enter(this)) {
                return Joined.GONE;
            }
            boolean sameEpoch = clientEpoch == null || clientEpoch.equals(epoch);
            List<History.Entry> backlog;
            boolean recovered;
            if (since == null) {
                backlog = history.last(replay);
                recovered = true;
            } else if (!sameEpoch || since > lastId) {
                backlog = history.last(replay); // ids from another sequence: nothing to compare
                recovered = false;
            } else {
                backlog = history.after(since);
                recovered = history.covers(since, lastId);
            }
            if (members.isEmpty() && lastId > 0) {
                registry.busy(this);
            }
            members.add(member);
            String user = member.name();
            if (user != null) {
                addPresence(member, user, kick);
            }
            Welcome welcome = new Welcome(user, name, List.copyOf(presence.keySet()), lastId, epoch, recovered);
            if (member.outbox().enqueueJoin(Frame.of(FrameEncoder.toJson(welcome)),
                    backlog.stream().map(History.Entry::frame).toList())) {
                kick.add(member);
            }
        }
        drain(kick);
        return Joined.IN;
    }

    @Override
    public void name(Member member, String user) {
        List<Member> kick = new ArrayList<>();
        synchronized (this) {
            member.name(user);
            if (members.contains(member)) {
                addPresence(member, user, kick);
            }
        }
        drain(kick);
    }

    @Override
    public void publish(Member from, String text) {
        List<Member> kick = new ArrayList<>();
        synchronized (this) {
            if (!members.contains(from)) {
                return; // it left (the server gave up on it) while its message was on the way
            }
            long id = ++lastId;
            Frame frame = Frame.of(FrameEncoder.toJson(new ChatMessage(id, from.name(), now(), text, name)));
            history.add(id, frame);
            queueToAll(frame, null, kick);
        }
        drain(kick);
    }

    @Override
    public void leave(Member member) {
        List<Member> kick = new ArrayList<>();
        synchronized (this) {
            if (!members.remove(member)) {
                return;
            }
            String user = member.name();
            if (user != null && presence.merge(user, -1, Integer::sum) == 0) {
                presence.remove(user);
                announce(null, kick);
            }
            if (members.isEmpty()) {
                if (lastId == 0) {
                    retired = true; // nothing worth keeping: made-up room names cost nothing once empty
                    registry.retire(this);
                } else {
                    registry.idle(this);
                }
            }
        }
        drain(kick);
    }

    /** Retires the room if nobody is in it, so that its registry can forget it; false if someone is. */
    synchronized boolean retireIfEmpty() {
        if (retired || !members.isEmpty()) {
            return false;
        }
        retired = true;
        return true;
    }

    /** With the lock held. */
    private void addPresence(Member member, String user, List<Member> kick) {
        if (presence.merge(user, 1, Integer::sum) == 1) {
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
            registry.later(this::announceNow, COALESCE_MILLIS);
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
        List<String> left = announced.stream().filter(name -> !presence.containsKey(name)).toList();
        List<String> joined = presence.keySet().stream().filter(name -> !announced.contains(name)).toList();
        announced.removeAll(left);
        announced.addAll(joined);
        if (!left.isEmpty()) {
            Leave leave = new Leave(left.get(0), left.size() == 1 ? null : left, now(), presence.size());
            queueToAll(Frame.of(FrameEncoder.toJson(leave)), null, kick);
        }
        if (!joined.isEmpty()) {
            ServerFrame join = new Join(joined.get(0), joined.size() == 1 ? null : joined, now(), presence.size());
            queueToAll(Frame.of(FrameEncoder.toJson(join)), joined.size() == 1 ? joiner : null, kick);
        }
    }

    /** With the lock held: one encoded frame to every member but {@code except}. */
    private void queueToAll(Frame frame, Member except, List<Member> kick) {
        for (Member m : members) {
            if (m != except && m.outbox().enqueue(frame)) {
                kick.add(m);
            }
        }
    }

    private static void drain(List<Member> kick) {
        for (Member m : kick) {
            m.outbox().drain();
        }
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}

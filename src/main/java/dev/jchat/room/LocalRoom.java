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

/**
 * A room in memory. Thread-safe: one lock orders ids, history, presence and the queueing of
 * every frame, so all members see one order; the sends themselves start after the lock is
 * released, each from its own outbox.
 */
final class LocalRoom implements Room {

    private final LocalRooms registry;
    private final String name;
    private final String epoch;
    private final int replay;
    private final History history;
    private final Set<Member> members = new LinkedHashSet<>();
    private final TreeMap<String, Integer> presence = new TreeMap<>(); // name -> open connections
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

    /** False when this room has retired and the member must join its successor. */
    boolean join(Member member, Long since, String clientEpoch) {
        List<Member> kick = new ArrayList<>();
        synchronized (this) {
            if (retired) {
                return false;
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
            members.add(member);
            String user = member.name();
            if (user != null) {
                addPresence(member, user, kick);
            }
            Welcome welcome = new Welcome(user, name, List.copyOf(presence.keySet()), lastId, epoch, recovered);
            boolean start = member.outbox().enqueue(FrameEncoder.toJson(welcome));
            for (History.Entry entry : backlog) {
                start |= member.outbox().enqueue(entry.json());
            }
            if (start) {
                kick.add(member);
            }
        }
        drain(kick);
        return true;
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
            long id = ++lastId;
            String json = FrameEncoder.toJson(new ChatMessage(id, from.name(), now(), text, name));
            history.add(id, json);
            queueToAll(json, null, kick);
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
                queueToAll(FrameEncoder.toJson(new Leave(user, now(), presence.size())), null, kick);
            }
            if (members.isEmpty() && lastId == 0) {
                retired = true;
                registry.retire(this);
            }
        }
        drain(kick);
    }

    /** With the lock held. */
    private void addPresence(Member member, String user, List<Member> kick) {
        if (presence.merge(user, 1, Integer::sum) == 1) {
            ServerFrame join = new Join(user, now(), presence.size());
            queueToAll(FrameEncoder.toJson(join), member, kick);
        }
    }

    /** With the lock held: one encoded frame to every member but {@code except}. */
    private void queueToAll(String json, Member except, List<Member> kick) {
        for (Member m : members) {
            if (m != except && m.outbox().enqueue(json)) {
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

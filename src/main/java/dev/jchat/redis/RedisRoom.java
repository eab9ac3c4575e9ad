package dev.jchat.redis;

import dev.jchat.message.ErrorCode;
import dev.jchat.message.ErrorFrame;
import dev.jchat.message.FrameEncoder;
import dev.jchat.room.Audience;
import dev.jchat.room.Frame;
import dev.jchat.room.Member;
import dev.jchat.room.Names;
import dev.jchat.room.Room;
import jakarta.websocket.CloseReason;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this server holds of a room that lives in Redis: its {@link Audience}, fed in id order
 * from the room's channel, with gaps filled from its stream.
 *
 * <p>Every event of the room (a join, a message from a member, one from the channel, a reply of
 * Redis) is a task on the room's {@link Serial}, so its state needs no lock, and Redis is only
 * ever called asynchronously.
 */
final class RedisRoom implements Room {

    private static final System.Logger LOG = System.getLogger(RedisRoom.class.getName());
    /** Redis lost the room (its epoch changed): its members come back to the new sequence. */
    static final CloseReason RESTARTED = new CloseReason(CloseReason.CloseCodes.SERVICE_RESTART, "room restarted");

    /**
     * A member's join, or its naming by its first message, still on its way (the room's first
     * sync, a claim or a check in Redis), and what the member asked for meanwhile, done once it
     * is through.
     */
    private static final class Waiting {
        final Member member;
        final Long since;
        final String epoch;
        final boolean joining;
        final List<Runnable> later = new ArrayList<>();
        boolean ready; // a join whose name is claimed or proved (or needs neither)

        Waiting(Member member, Long since, String epoch, boolean joining) {
            this.member = member;
            this.since = since;
            this.epoch = epoch;
            this.joining = joining;
        }
    }

    private final RedisRooms engine;
    private final String name;
    private final Audience audience;
    private final Serial serial;
    /** Joins handed to the room and not yet handled: the engine does not retire it meanwhile. */
    final AtomicInteger incoming = new AtomicInteger();

    // Touched only by the room's tasks.
    private boolean synced;                                    // the audience holds what Redis had at a sync
    private boolean syncing;
    private final List<Waiting> waiting = new ArrayList<>();   // joins and namings on their way, in order
    private final List<String> early = new ArrayList<>();      // channel messages that came before it
    private final TreeMap<Long, Frame> held = new TreeMap<>(); // messages that came ahead of a gap
    private final List<String> presenceChanges = new ArrayList<>();
    private long presenceVersion;

    RedisRoom(RedisRooms engine, String name, Serial serial, int historySize, int replay) {
        this.engine = engine;
        this.name = name;
        this.serial = serial;
        this.audience = new Audience(this, null, historySize, replay, new Audience.SharedPresence() {
            @Override
            public void here(String user) {
                presenceChanges.add("+" + user);
            }

            @Override
            public void gone(String user) {
                presenceChanges.add("-" + user);
            }
        }, engine.timer());
    }

    @Override
    public String name() {
        return name;
    }

    // --- from the engine and the endpoint, on any thread

    /** Joins once the member's name is claimed and the room synced; {@link #incoming} was counted up for it. */
    void join(Member member, Long since, String epoch) {
        serial.execute(() -> {
            incoming.decrementAndGet();
            Waiting join = new Waiting(member, since, epoch, true);
            waiting.add(join);
            if (member.claiming()) {
                engine.names().claim(member.name(), member.presentedKey()).whenComplete((claim, error) ->
                        serial.execute(() -> {
                            claimed(join, claim, error);
                            afterTask();
                        }));
            } else {
                join.ready = true;
            }
            if (synced) {
                joinReady();
            } else {
                sync();
            }
            afterTask();
        });
    }

    /** A connection names itself by its first message: with a name nobody holds, for itself alone. */
    @Override
    public void name(Member member, String user) {
        whenIn(member, () -> {
            Waiting naming = new Waiting(member, null, null, false);
            waiting.add(naming);
            engine.names().held(user).whenComplete((held, error) -> serial.execute(() -> {
                if (waiting.remove(naming)) {
                    if (error != null) {
                        Audience.refuse(member, ErrorCode.UNAVAILABLE, RedisRooms.UNAVAILABLE);
                    } else if (held) {
                        Audience.refuse(member, ErrorCode.NAME_TAKEN, Names.TAKEN);
                    } else {
                        audience.name(member, user);
                        naming.later.forEach(Runnable::run);
                    }
                }
                afterTask();
            }));
        });
    }

    @Override
    public void publish(Member from, String text) {
        // published once it is in, if it is still joining: it sees its own message
        whenIn(from, () -> publishNow(from, text));
    }

    @Override
    public void typing(Member from) {
        long now = System.nanoTime();
        whenIn(from, () -> {
            if (audience.mayType(from, now)) {
                engine.typing(name, from.name());
            }
        });
    }

    @Override
    public void history(Member to, Long before, int limit) {
        whenIn(to, () -> audience.history(to, before, limit));
    }

    /** Runs a member's request once it is in the room and named: now, or once it is; never for one that left. */
    private void whenIn(Member member, Runnable request) {
        serial.execute(() -> {
            Waiting pending = waitingOf(member);
            if (pending != null) {
                pending.later.add(request);
            } else if (audience.contains(member)) {
                request.run();
            }
            afterTask();
        });
    }

    @Override
    public void leave(Member member) {
        serial.execute(() -> {
            waiting.removeIf(w -> w.member == member);
            if (member.holdsName()) {
                engine.names().released(member.name());
            }
            audience.leave(member);
            afterTask();
        });
    }

    /** A message on the room's channel. */
    void received(String message) {
        serial.execute(() -> {
            if (!synced) {
                early.add(message);
            } else {
                handle(message);
            }
            afterTask();
        });
    }

    /** The room's channel is subscribed (again): whatever Redis has that this server missed, it gets now. */
    void subscribed() {
        serial.execute(this::sync);
    }

    /** Redis answers commands again: a synced room reads what it may have missed. */
    void reconnected() {
        serial.execute(() -> {
            if (synced) {
                sync();
            }
        });
    }

    /** The subscription failed: those waiting to join are told the chat is unavailable. */
    void subscribeFailed(Throwable error) {
        serial.execute(() -> synced(null, error));
    }

    /** Tells Redis again which names are here, and lets it expire those of servers gone silent. */
    void refreshPresence() {
        serial.execute(() -> {
            if (synced) {
                audience.refreshPresence();
                engine.presence(name, List.copyOf(presenceChanges)); // even with none: the sweep
                presenceChanges.clear();
            }
        });
    }

    // --- tasks

    /** Joins, in order, every waiting member whose name is settled; the room is synced. */
    private void joinReady() {
        for (Waiting join : List.copyOf(waiting)) {
            if (join.joining && join.ready) {
                waiting.remove(join);
                if (audience.join(join.member, join.since, join.epoch) == Audience.Joined.IN) {
                    join.later.forEach(Runnable::run);
                }
            }
        }
    }

    private void claimed(Waiting join, Names.Claim claim, Throwable error) {
        if (!waiting.contains(join)) {
            return; // it closed meanwhile
        }
        if (error != null || claim.outcome() == Names.Outcome.TAKEN) {
            waiting.remove(join);
            if (error != null) {
                Audience.refuse(join.member, ErrorCode.UNAVAILABLE, RedisRooms.UNAVAILABLE);
            } else {
                Audience.refuse(join.member, ErrorCode.NAME_TAKEN, Names.TAKEN);
            }
            return;
        }
        join.member.proven(claim.key());
        join.ready = true;
        if (synced) {
            joinReady();
        }
    }

    private void publishNow(Member from, String text) {
        if (from.name() == null) {
            return; // its naming was refused
        }
        engine.publish(name, from.name(), text).whenComplete((id, error) -> {
            if (error != null) {
                engine.refusedMessage(error);
                from.send(FrameEncoder.toJson(ErrorFrame.of(ErrorCode.UNAVAILABLE, RedisRooms.UNAVAILABLE)));
            }
        });
    }

    private void sync() {
        if (syncing) {
            return;
        }
        syncing = true;
        engine.load(name).whenComplete((snapshot, error) -> serial.execute(() -> {
            synced(snapshot, error);
            afterTask();
        }));
    }

    private void synced(RedisRooms.Snapshot snapshot, Throwable error) {
        syncing = false;
        if (error != null) {
            if (!synced) {
                // nobody is in yet: those waiting are refused, and may try again
                for (Waiting join : waiting) {
                    Audience.refuse(join.member, ErrorCode.UNAVAILABLE, RedisRooms.UNAVAILABLE);
                }
                waiting.clear();
                early.clear();
            }
            engine.syncFailed(name, error); // a synced room syncs again when Redis is back
            return;
        }
        if (!synced) {
            audience.load(snapshot.epoch(), snapshot.lastId(), snapshot.ids(), snapshot.frames(), snapshot.names());
            presenceVersion = snapshot.version();
            synced = true;
            joinReady();
            early.forEach(this::handle);
            early.clear();
            return;
        }
        if (!snapshot.epoch().equals(audience.epoch())) {
            LOG.log(Level.WARNING, "room {0} was lost in Redis (its epoch changed): its members reconnect", name);
            held.clear();
            audience.closeAll(RESTARTED);
            audience.load(snapshot.epoch(), snapshot.lastId(), snapshot.ids(), snapshot.frames(), snapshot.names());
            presenceVersion = snapshot.version();
            return;
        }
        for (int i = 0; i < snapshot.ids().size(); i++) {
            held.putIfAbsent(snapshot.ids().get(i), snapshot.frames().get(i));
        }
        if (snapshot.version() > presenceVersion) {
            presenceVersion = snapshot.version();
            audience.onlineAre(snapshot.names());
        }
        boolean missedSince = !held.isEmpty() && held.firstKey() > audience.lastId() + 1
                && snapshot.lastId() < held.firstKey() - 1;
        if (missedSince) {
            sync(); // what is missing was published after that read
        } else {
            deliverHeld();
        }
    }

    private void handle(String message) {
        if (message.startsWith("m ")) {
            int afterEpoch = message.indexOf(' ', 2);
            int afterId = message.indexOf(' ', afterEpoch + 1);
            String epoch = message.substring(2, afterEpoch);
            long id = Long.parseLong(message.substring(afterEpoch + 1, afterId));
            if (!epoch.equals(audience.epoch())) {
                sync(); // Redis started the room over: the sync finds the new epoch
                return;
            }
            long last = audience.lastId();
            if (id == last + 1 && held.isEmpty()) {
                audience.deliver(id, Frame.of(message.substring(afterId + 1)));
            } else if (id > last) {
                held.put(id, Frame.of(message.substring(afterId + 1)));
                sync(); // a gap: this server missed something, Redis has it
            }
        } else if (message.startsWith("t ")) {
            audience.relayTyping(message.substring(2));
        } else if (message.startsWith("p ")) {
            String[] lines = message.split("\n");
            long version = Long.parseLong(lines[0].substring(2));
            if (version <= presenceVersion) {
                return; // the sync already had it
            }
            presenceVersion = version;
            List<String> came = new ArrayList<>();
            List<String> left = new ArrayList<>();
            for (String line : Arrays.asList(lines).subList(1, lines.length)) {
                (line.startsWith("+") ? came : left).add(line.substring(1));
            }
            audience.online(came, left);
        } else {
            LOG.log(Level.WARNING, "room {0}: ignoring a channel message of an unknown kind", name);
        }
    }

    /** Delivers what came ahead of a gap, once the gap is filled, or found to be gone from Redis too. */
    private void deliverHeld() {
        while (!held.isEmpty()) {
            Map.Entry<Long, Frame> next = held.pollFirstEntry();
            long last = audience.lastId();
            if (next.getKey() <= last) {
                continue;
            }
            if (next.getKey() > last + 1) {
                engine.lost(name, next.getKey() - last - 1);
            }
            audience.deliver(next.getKey(), next.getValue());
        }
    }

    /** At the end of every task: sends what the audience said of presence, retires the room once empty. */
    private void afterTask() {
        if (!presenceChanges.isEmpty()) {
            engine.presence(name, List.copyOf(presenceChanges));
            presenceChanges.clear();
        }
        if (waiting.isEmpty() && !syncing && engine.retireIfIdle(this, audience)) {
            held.clear();
        }
    }

    /** The member's latest join or naming still on its way, or null. */
    private Waiting waitingOf(Member member) {
        for (int i = waiting.size() - 1; i >= 0; i--) {
            if (waiting.get(i).member == member) {
                return waiting.get(i);
            }
        }
        return null;
    }
}

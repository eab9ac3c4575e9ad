package dev.jchat.room;

import dev.jchat.connection.Frame;
import dev.jchat.connection.Member;
import dev.jchat.message.FrameEncoder;
import dev.jchat.message.Online;
import dev.jchat.webhook.OnlineNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Whether the other names of this server's direct conversations are online anywhere (version 3,
 * docs/PROTOCOL.md, "Online anywhere"): a name is online while it has a connection of its own
 * (claimed, proved or a token's) on any server, in any room or none. This server counts its own
 * connections per name and tells the engine a name's first one here and its last
 * ({@link Engine}); the engine tells back, with a version, whether a name is online anywhere,
 * for the names watched here: the other names of the direct conversations this server's
 * version-3 connections are in. A watcher learns the state in its conversation's welcome
 * ({@code otherOnline}) and every change as {@code {"type":"online","room","user","online"}},
 * after that welcome. Thread-safe: one lock, under which frames are only queued (their sends start
 * after it), and under which no other lock but outboxes' is taken.
 */
public final class Peers {

    /** Whether a name is online anywhere, as of {@code version}: a later version wins. */
    public record State(long version, boolean online) {
    }

    /** Where an engine learns of this server's names, and answers for the whole chat. */
    public interface Engine extends OnlineNames.Whereabouts {

        /** The name's state now, for a name watched from now on; its changes come to {@link Peers#changed}. */
        CompletionStage<State> read(String name);
    }

    private final Engine engine;
    private final OnlineNames here;
    private final Map<String, Watch> watched = new HashMap<>();      // guarded by this: by the name watched
    private final Map<Member, Set<String>> watching = new HashMap<>(); // guarded by this: what each watcher watches

    /** One watched name: its state as last heard, and its watchers, each in one conversation with it. */
    private static final class Watch {
        State state;                                        // null until first heard
        final CompletableFuture<Void> known = new CompletableFuture<>();
        final Map<Member, Watcher> watchers = new HashMap<>();
    }

    /** A watcher's conversation, and whether its welcome there went out (changes may follow it then). */
    private record Watcher(String room, boolean welcomed) {
    }

    /** @param engine makes the engine's side, given this (which it tells of changes) */
    public Peers(Function<Peers, Engine> engine) {
        this.engine = engine.apply(this);
        this.here = new OnlineNames(this.engine);
    }

    /**
     * The engine's side when this server is the whole chat (the memory engine): a name is online
     * while it has a connection here, every change is told at once, numbered here.
     */
    public static Engine alone(Peers peers) {
        return new Engine() {
            private final Set<String> online = new HashSet<>(); // guarded by this
            private long version;                               // guarded by this

            @Override
            public synchronized void here(String name) {
                online.add(name);
                peers.changed(name, new State(++version, true));
            }

            @Override
            public synchronized void gone(String name) {
                online.remove(name);
                peers.changed(name, new State(++version, false));
            }

            @Override
            public synchronized CompletionStage<State> read(String name) {
                return CompletableFuture.completedFuture(new State(version, online.contains(name)));
            }
        };
    }

    /** A connection's name is settled: its own name counts as online from now until it closes. */
    public void connected(Member member) {
        if (member.proven()) {
            here.entered(member);
        }
    }

    /** A connection closed: its name may be gone from this server, and it watches nothing any more. */
    public void closed(Member member) {
        here.closed(member);
        synchronized (this) {
            Set<String> names = watching.remove(member);
            if (names != null) {
                names.forEach(name -> unwatch(name, member));
            }
        }
    }

    /** The names with a connection here: what a shared engine tells again every period. */
    public void hereAgain() {
        here.again();
    }

    /**
     * A version-3 connection asks for direct conversation {@code room}: it watches the other name.
     * Completes once that name's state is known here (or could not be learnt), so that the
     * conversation's welcome can say it; at once for any other connection or room.
     */
    public CompletionStage<Void> watch(Member member, String room) {
        String other = watchable(member, room);
        if (other == null) {
            return CompletableFuture.completedFuture(null);
        }
        Watch watch;
        boolean first;
        synchronized (this) {
            if (member.isGone()) {
                return CompletableFuture.completedFuture(null); // closed() came first: nothing to take back
            }
            first = !watched.containsKey(other);
            watch = watched.computeIfAbsent(other, name -> new Watch());
            watch.watchers.put(member, new Watcher(room, false));
            watching.computeIfAbsent(member, m -> new HashSet<>()).add(other);
        }
        if (first) {
            engine.read(other).whenComplete((state, error) -> {
                if (state != null) {
                    changed(other, state);
                }
                watch.known.complete(null); // unknown on an error: the welcome says nothing, a change tells
            });
        }
        return watch.known;
    }

    /**
     * For a direct conversation's welcome, queued right after: whether the other name is online
     * anywhere, or null when not known (or the room or the connection is no watcher's).
     */
    public synchronized Boolean online(Member member, String room) {
        String other = watchable(member, room);
        Watch watch = other == null ? null : watched.get(other);
        return watch == null || watch.state == null ? null : watch.state.online();
    }

    /**
     * The welcome of {@code room}, saying {@code said} of the other name, is queued for the member
     * (with its room's lock held, {@code sends} the join's): changes go to it from now on, and one
     * that came since it was read is queued now, behind the welcome, its send started with the welcome's.
     */
    synchronized void welcomed(Member member, String room, Boolean said, Sends sends) {
        String other = watchable(member, room);
        Watch watch = other == null ? null : watched.get(other);
        if (watch == null || !watch.watchers.containsKey(member)) {
            return;
        }
        watch.watchers.put(member, new Watcher(room, true));
        if (watch.state != null && !Boolean.valueOf(watch.state.online()).equals(said)) {
            sends.queue(member, frame(room, other, watch.state));
        }
    }

    /**
     * The engine's word on a watched name: a state newer than the one held replaces it and is
     * told to every watcher welcomed in its conversation; an older one (overtaken) is dropped.
     */
    public void changed(String name, State state) {
        List<Member> busy = new ArrayList<>();
        synchronized (this) {
            Watch watch = watched.get(name);
            if (watch == null || watch.state != null && state.version() <= watch.state.version()) {
                return;
            }
            boolean told = watch.state != null && watch.state.online() == state.online();
            watch.state = state;
            if (told) {
                return; // a newer version of what they know already
            }
            for (Map.Entry<Member, Watcher> entry : List.copyOf(watch.watchers.entrySet())) {
                Member member = entry.getKey();
                String room = entry.getValue().room();
                if (!member.subscribed(room)) {
                    forget(name, member); // it left the conversation, or was refused it
                } else if (entry.getValue().welcomed() && member.outbox().enqueue(frame(room, name, state))) {
                    busy.add(member);
                }
            }
        }
        busy.forEach(member -> member.outbox().drain()); // holding no lock
    }

    /** The names watched here, for a shared engine to read again every period (a change it missed). */
    public synchronized List<String> watched() {
        return List.copyOf(watched.keySet());
    }

    /** With the lock held: the member watches the name no more. */
    private void forget(String name, Member member) {
        unwatch(name, member);
        Set<String> names = watching.get(member);
        if (names != null && names.remove(name) && names.isEmpty()) {
            watching.remove(member);
        }
    }

    /** With the lock held: a name nobody here watches any more is not followed. */
    private void unwatch(String name, Member member) {
        Watch watch = watched.get(name);
        if (watch != null && watch.watchers.remove(member) != null && watch.watchers.isEmpty()) {
            watched.remove(name);
        }
    }

    /** The other name of direct conversation {@code room} when the member may watch it (a named version-3 one), or null. */
    private static String watchable(Member member, String room) {
        return member.v3() && member.name() != null ? Direct.other(room, member.name()) : null;
    }

    private static Frame frame(String room, String name, State state) {
        return Frame.of(FrameEncoder.toJson(new Online(room, name, state.online())));
    }
}

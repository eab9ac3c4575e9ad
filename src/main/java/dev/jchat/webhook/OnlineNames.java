package dev.jchat.webhook;

import dev.jchat.connection.Member;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * This server's connections per name: for the {@code online} and {@code offline} webhooks, a
 * connection with a name counts from its first room entered until it closes; for
 * {@link dev.jchat.room.Peers}, from when its own name is settled. The name's first
 * connection here and its last are told to the engine's {@link Whereabouts}, which knows the
 * whole chat's. Thread-safe: one lock, under which the engine is told, so that it hears a name's
 * comings and goings in the order they happened (it must not block).
 */
public final class OnlineNames {

    /** Where an engine counts the names of every server, and makes {@code online} and {@code offline}. */
    public interface Whereabouts {

        /** The name's first connection on this server. Must not block. */
        void here(String name);

        /** The name's last connection on this server closed. Must not block. */
        void gone(String name);
    }

    private final Whereabouts whereabouts;
    private final Map<String, Integer> counts = new HashMap<>(); // guarded by this
    private final Map<Member, String> counted = new HashMap<>(); // guarded by this

    public OnlineNames(Whereabouts whereabouts) {
        this.whereabouts = whereabouts;
    }

    /**
     * A connection entered a room, or named itself (by its first message) in one; counted once,
     * under the name it has then (none: not yet).
     */
    public synchronized void entered(Member member) {
        String name = member.name();
        // gone: closed() was called or is on its way (it is marked gone first), and must find nothing to take back
        if (name == null || member.isGone() || counted.putIfAbsent(member, name) != null) {
            return;
        }
        if (counts.merge(name, 1, Integer::sum) == 1) {
            whereabouts.here(name);
        }
    }

    /** A connection closed. */
    public synchronized void closed(Member member) {
        String name = counted.remove(member);
        if (name == null) {
            return;
        }
        if (counts.merge(name, -1, Integer::sum) <= 0) {
            counts.remove(name);
            whereabouts.gone(name);
        }
    }

    /**
     * Tells the engine again of every name with a connection here, under the lock that orders its
     * comings and goings, so that a name gone meanwhile is never told as here after it went.
     */
    public synchronized void again() {
        counts.keySet().forEach(whereabouts::here);
    }

    /** The names with a connection here now: what the Redis engine tells again every period. */
    public synchronized List<String> names() {
        return new ArrayList<>(counts.keySet());
    }
}

package dev.jchat.room;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Who is in one room, as one server sees it: how many connections each name has here, the names
 * online in the whole room, and what the members were last told of them. Alone (the memory
 * engine), a name is online while it has a connection here. Shared (the Redis engine), the engine
 * is told of the names here ({@link Audience.SharedPresence}), says who is online on any server,
 * and a name leaves only when it says so.
 *
 * <p>Not thread-safe: its {@link Audience} calls it with its lock held.
 */
final class Presence {

    /** What changed since the members were last told: the names that left, and those that came. */
    record News(List<String> left, List<String> came) {
    }

    private final Audience.SharedPresence shared; // null when this server is the whole room
    private final Map<String, Integer> here = new HashMap<>(); // name -> connections on this server
    private final TreeSet<String> online = new TreeSet<>();    // names in the room, on any server
    private final TreeSet<String> told = new TreeSet<>();      // names the members were last told are here

    private Presence(Audience.SharedPresence shared) {
        this.shared = shared;
    }

    /** Presence of a room that lives on this server alone. */
    static Presence alone() {
        return new Presence(null);
    }

    /** Presence of a room across servers, whose engine learns of the names here through {@code shared}. */
    static Presence shared(Audience.SharedPresence shared) {
        return new Presence(shared);
    }

    /** One more connection of the name here. True when the name came online with it: the room is to be told. */
    boolean arrived(String user) {
        if (here.merge(user, 1, Integer::sum) != 1) {
            return false;
        }
        if (shared != null) {
            shared.here(user);
        }
        return online.add(user);
    }

    /**
     * One connection fewer of the name here. True when the name went offline with it (alone, its
     * last connection here closed): the room is to be told. Shared, the engine is told instead,
     * and says later whether the name left the room.
     */
    boolean departed(String user) {
        if (here.merge(user, -1, Integer::sum) != 0) {
            return false;
        }
        here.remove(user);
        if (shared != null) {
            shared.gone(user);
            return false;
        }
        return online.remove(user);
    }

    /** Whether the name has a connection here. */
    boolean isHere(String user) {
        return here.containsKey(user);
    }

    /** Tells the shared presence again of every name here (nothing to do alone). */
    void refresh() {
        if (shared != null) {
            here.keySet().forEach(shared::here);
        }
    }

    /**
     * The engine says these names came into the room, or left it, on some server; a name still
     * connected here stays, whatever was missed. True when the names online changed.
     */
    boolean changed(Collection<String> came, Collection<String> left) {
        boolean changed = online.addAll(came);
        for (String name : left) {
            if (!here.containsKey(name)) {
                changed |= online.remove(name);
            }
        }
        return changed;
    }

    /** The names online that are not among {@code names}. */
    List<String> onlineBesides(Collection<String> names) {
        return online.stream().filter(name -> !names.contains(name)).toList();
    }

    /** The engine's names online as it loads the room, before anyone joins here: the members know of them. */
    void load(Collection<String> names) {
        online.clear();
        online.addAll(names);
        told.clear();
        told.addAll(names);
    }

    /** What changed since the members were last told; from now on they know it. */
    News news() {
        List<String> left = told.stream().filter(name -> !online.contains(name)).toList();
        List<String> came = online.stream().filter(name -> !told.contains(name)).toList();
        told.removeAll(left);
        told.addAll(came);
        return new News(left, came);
    }

    /** The names online, sorted. */
    List<String> online() {
        return List.copyOf(online);
    }

    /** How many distinct names are online in the room. */
    int count() {
        return online.size();
    }
}

package dev.jchat.engine.memory;

import dev.jchat.room.Positions;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Read positions and "my rooms" in this JVM's memory: they end with the process, as its rooms do.
 * Each owner keeps at most {@link Positions#MAX_ROOMS} rooms (the least recently active goes
 * first); a room not active for {@code CHAT_HISTORY_DAYS} is forgotten, and owners left with none
 * are swept out once there are many. At most {@link #MAX_PLACES} rooms of all owners together and
 * {@link #MAX_OWNERS} owners are kept (a bound on the heap whatever the traffic: about 70 MB, docs/PROTOCOL.md), the
 * least recently used owner going first. Thread-safe: one lock, held for a map operation at a time.
 */
final class LocalPositions implements Positions {

    /** Owners past which those with nothing left are swept out at the next write. */
    private static final int SWEEP_AT = 10_000;
    /** Owners kept at most: past it, the one whose positions were least recently used goes (a bound on the heap). */
    static final int MAX_OWNERS = 100_000;
    /** Rooms of all owners together kept at most: past it, least recently used owners go until it is met. */
    static final int MAX_PLACES = 500_000;

    /** One room of an owner's: when it was last active there, and the id read up to. */
    private static final class Place {
        long active;
        long read;
    }

    /** By owner, the least recently used first. */
    private final Map<String, Map<String, Place>> owners = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Map<String, Place>> eldest) {
            boolean full = size() > MAX_OWNERS;
            if (full) {
                places -= eldest.getValue().size();
            }
            return full;
        }
    };
    /** Rooms of all owners together. */
    private int places;
    private final long keepMillis;
    private int sweepAt = SWEEP_AT;

    LocalPositions(Duration keep) {
        this.keepMillis = keep.toMillis();
    }

    @Override
    public synchronized void visited(String owner, String room, long nowMillis) {
        place(owner, room, nowMillis).active = nowMillis;
    }

    @Override
    public synchronized CompletionStage<Boolean> read(String owner, String room, long id, long nowMillis) {
        Place place = place(owner, room, nowMillis);
        place.active = nowMillis;
        boolean moved = id > place.read;
        if (moved) {
            place.read = id;
        }
        return CompletableFuture.completedFuture(moved);
    }

    @Override
    public synchronized void forget(String owner, String room) {
        Map<String, Place> rooms = owners.get(owner);
        if (rooms != null && rooms.remove(room) != null) {
            places--;
        }
    }

    @Override
    public synchronized CompletionStage<List<Mine>> mine(String owner) {
        Map<String, Place> rooms = owners.getOrDefault(owner, Map.of());
        long since = System.currentTimeMillis() - keepMillis;
        return CompletableFuture.completedFuture(rooms.entrySet().stream()
                .filter(e -> e.getValue().active >= since)
                .map(e -> new Mine(e.getKey(), e.getValue().active, e.getValue().read))
                .sorted(Comparator.comparingLong(Mine::active).reversed().thenComparing(Mine::room))
                .limit(MAX_ROOMS)
                .toList());
    }

    /** With the lock held: the owner's place in the room, made if new; the least recently active past the cap goes. */
    private Place place(String owner, String room, long nowMillis) {
        sweepIfLarge(nowMillis);
        Map<String, Place> rooms = owners.computeIfAbsent(owner, o -> new HashMap<>());
        Place place = rooms.get(room);
        if (place == null) {
            if (rooms.size() >= MAX_ROOMS) {
                rooms.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().active))
                        .ifPresent(oldest -> rooms.remove(oldest.getKey()));
                places--;
            }
            place = new Place();
            place.active = nowMillis;
            rooms.put(room, place);
            places++;
            // the owner was just used, so it is the last: those before it go, the least recently used first
            for (Iterator<Map<String, Place>> it = owners.values().iterator(); places > MAX_PLACES && it.hasNext(); ) {
                Map<String, Place> eldest = it.next();
                if (eldest != rooms) {
                    places -= eldest.size();
                    it.remove();
                }
            }
        }
        return place;
    }

    /** Owners by the thousand who came and went: their expired rooms go, and owners with none left. */
    private void sweepIfLarge(long nowMillis) {
        if (owners.size() < sweepAt) {
            return;
        }
        long since = nowMillis - keepMillis;
        for (Iterator<Map<String, Place>> it = owners.values().iterator(); it.hasNext(); ) {
            Map<String, Place> rooms = it.next();
            int before = rooms.size();
            rooms.values().removeIf(place -> place.active < since);
            places -= before - rooms.size();
            if (rooms.isEmpty()) {
                it.remove();
            }
        }
        sweepAt = Math.max(SWEEP_AT, owners.size() * 2);
    }
}

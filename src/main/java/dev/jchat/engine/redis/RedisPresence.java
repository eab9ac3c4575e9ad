package dev.jchat.engine.redis;

import dev.jchat.config.ChatConfig;
import dev.jchat.room.Audience;
import dev.jchat.ChatHub;
import dev.jchat.room.Direct;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Presence across servers ({@code presence.lua}): tells Redis which names this server has in a
 * room, which also sweeps the names of servers that stopped refreshing theirs, and keeps the room
 * directory in order; and every period (a third of {@code CHAT_PRESENCE_TTL_SECONDS}) has every
 * room here tell its names again. See docs/REDIS.md, "Presence across servers". Thread-safe.
 */
final class RedisPresence {

    private final ChatConfig config;
    private final ChatHub hub;
    private final RedisLink link;
    private final RedisKeys keys;
    private final String node = Audience.newEpoch(); // this server, in Redis' entries
    private final Map<String, Updates> updating = new ConcurrentHashMap<>(); // rooms with an update on its way
    /** The longest a directory read waits for this server's presence updates. */
    private static final Duration SETTLED_WITHIN = Duration.ofSeconds(2);

    RedisPresence(ChatConfig config, ChatHub hub, RedisLink link, RedisKeys keys) {
        this.config = config;
        this.hub = hub;
        this.link = link;
        this.keys = keys;
    }

    /** Refreshes the names of {@code rooms} every period, while Redis is reachable, until the engine closes. */
    void start(Supplier<Collection<RedisRoom>> rooms) {
        hub.schedule(() -> refresh(rooms), period());
    }

    /**
     * Tells Redis of names here ({@code +name}) and gone ({@code -name}); sweeps expired ones of other
     * servers; keeps the directory. A room has one update on its way at most: changes that come
     * meanwhile go together in the next, in the order they came, so that Redis applies a room's
     * changes in order although an update takes more than one command (see {@link #write}).
     */
    void tell(String room, List<String> changes) {
        Updates toSend = locked(room, updates -> {
            updates.queued.addAll(changes);
            updates.told = true;
            updates.expected = false;
            boolean send = !updates.inFlight;
            updates.inFlight = true;
            return send ? updates : null;
        });
        if (toSend != null) {
            toSend.next();
        }
    }

    /**
     * A change in the room's names is coming: its room told it to its members (a welcome, a join)
     * and tells it here when its task ends ({@link #tell}). Until then, and until it is written, a
     * directory read waits for it ({@link #settled}). No command is sent: the room's lock may be held.
     */
    void expect(String room) {
        locked(room, updates -> {
            updates.expected = true;
            return null;
        });
    }

    /** {@code change} of the room's entry, under its lock: a live one, a new one if the last just retired. */
    private <T> T locked(String room, Function<Updates, T> change) {
        while (true) {
            Updates updates = updating.computeIfAbsent(room, Updates::new);
            synchronized (updates) {
                if (!updates.retired) {
                    return change.apply(updates);
                }
            }
        }
    }

    /**
     * Done once every update told before the call has reached Redis, directory included: a server
     * reads the directory after it, so that a member who was welcomed here, or saw a join from here,
     * finds that room and count in the answer to its {@code rooms}.
     */
    CompletableFuture<Void> settled() {
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (Updates updates : updating.values()) {
            synchronized (updates) {
                if (updates.inFlight || updates.expected) {
                    CompletableFuture<Void> written = new CompletableFuture<>();
                    (updates.told || updates.expected ? updates.afterNext : updates.afterCurrent).add(written);
                    waits.add(written);
                }
            }
        }
        // bounded: a change expected and never told, or Redis slow, delays the answer, never holds it
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, SETTLED_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One room's updates: the one on its way, and the changes that wait for it. */
    private final class Updates {
        private final String room;
        private final List<String> queued = new ArrayList<>(); // guarded by this
        private boolean told;                                   // guarded by this: queued holds an update
        private boolean inFlight;                               // guarded by this
        private boolean expected;                               // guarded by this: a change is coming ({@link #expect})
        private boolean retired;                                // guarded by this: out of the map, for good
        // guarded by this: who waits for the update on its way, and for the queued one
        private List<CompletableFuture<Void>> afterCurrent = new ArrayList<>();
        private List<CompletableFuture<Void>> afterNext = new ArrayList<>();

        Updates(String room) {
            this.room = room;
        }

        /** Sends what is queued, then (called again once it is written) what came meanwhile, until nothing is left. */
        void next() {
            List<CompletableFuture<Void>> written;
            List<String> changes = null;
            synchronized (this) {
                written = afterCurrent;
                afterCurrent = List.of();
                if (told) {
                    changes = List.copyOf(queued);
                    queued.clear();
                    told = false;
                    afterCurrent = afterNext;
                    afterNext = new ArrayList<>();
                } else {
                    inFlight = false;
                    if (!expected) {
                        retired = true;
                        updating.remove(room, this); // a room with nothing to tell keeps no entry
                    }
                }
            }
            written.forEach(waiting -> waiting.complete(null));
            if (changes == null) {
                return;
            }
            CompletionStage<Long> update;
            try {
                update = write(room, changes);
            } catch (RuntimeException e) { // not left on its way for good: the room's later updates wait for it
                update = CompletableFuture.failedFuture(e);
            }
            update.whenComplete((listed, error) -> {
                if (error != null) {
                    // told again at the next refresh; until then others may miss this server's names
                    hub.events().record(Level.WARNING, "presence not updated in Redis", error.toString());
                }
                next();
            });
        }
    }

    /**
     * One update of a room's presence: the room is put in the directory first if a name came (a room
     * new to it, before anyone can learn of the name: {@code presence.lua} publishes the join), then
     * the script, then the directory's order by the names online (or the room out of it when none).
     * The directory's commands are not part of the script, so that the script touches the room's
     * keys alone (one hash slot: Redis Cluster); the order they give may lag an update by another
     * server, which is why {@link RedisRooms} reads each room's count from the room itself.
     */
    private CompletionStage<Long> write(String room, List<String> changes) {
        String[] roomKeys = {keys.presence(room), keys.names(room), keys.presenceVersion(room), keys.meta(room)};
        boolean listed = !Direct.is(room);
        boolean arrivals = listed && changes.stream().anyMatch(change -> change.startsWith("+"));
        CompletionStage<?> before = arrivals
                ? link.call("directory", redis -> redis.zadd(keys.directory(), ZAddArgs.Builder.nx(), -1, room))
                : CompletableFuture.completedFuture(null);
        return before.thenCompose(ready -> run(roomKeys, keys.channel(room), "", changes))
                .thenCompose(counts -> !listed ? CompletableFuture.completedFuture(0L)
                        : link.call("directory", redis -> list(redis, room, counts.get(1))));
    }

    /**
     * The same for the whole chat's names, across rooms (the webhooks' {@code online} and
     * {@code offline}, {@link RedisWebhooks}): a name's first server anywhere adds {@code online} to
     * the stream of name events unless it was announced already, its last one gone makes its offline due
     * after {@code graceMillis}; a server that died is swept as in a room.
     */
    void tellWhole(List<String> changes, long graceMillis) {
        String[] wholeKeys = {keys.wholePresence(), keys.wholeNames(), keys.nameEvents(), keys.announced(), keys.offlineDue()};
        run(wholeKeys, "", Long.toString(graceMillis), changes).whenComplete((counts, error) -> {
            if (error != null) {
                hub.events().record(Level.WARNING, "presence not updated in Redis", error.toString());
            }
        }); // no room's keys touched, nothing published
    }

    /** {@code presence.lua} for a room ({@code grace} empty) or for the whole chat: {changes, names online}. */
    private CompletableFuture<List<Long>> run(String[] presenceKeys, String channel, String grace, List<String> changes) {
        List<String> args = new ArrayList<>(List.of(node, Long.toString(period().toMillis()), channel,
                Long.toString(config.engine().presenceTtlSeconds() * 10L), Long.toString(RoomCalls.EMPTY_ROOM_SECONDS),
                grace));
        args.addAll(changes);
        return link.call("presence", redis -> Script.PRESENCE.<List<Long>>run(redis, presenceKeys, args.toArray(String[]::new)));
    }

    /** The directory: rooms with a name online, scored by minus how many (a direct conversation never comes here). */
    private CompletionStage<Long> list(RedisClusterAsyncCommands<String, String> redis, String room, long online) {
        return online > 0 ? redis.zadd(keys.directory(), -online, room) : redis.zrem(keys.directory(), room);
    }

    /** Refreshes come three times per lifetime: a live server's names never expire between two. */
    Duration period() {
        return Duration.ofMillis(config.engine().presenceTtlSeconds() * 1_000L / 3);
    }

    private void refresh(Supplier<Collection<RedisRoom>> rooms) {
        if (link.closed()) {
            return;
        }
        if (link.reachable()) {
            rooms.get().forEach(RedisRoom::refreshPresence);
        }
        hub.schedule(() -> refresh(rooms), period());
    }
}

package dev.jchat.engine.redis;

import dev.jchat.config.ChatConfig;
import dev.jchat.room.Audience;
import dev.jchat.ChatHub;
import dev.jchat.room.Direct;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
     * servers; then puts the room in the directory with its names online, or takes it out. The
     * directory is a second command, not part of the script, so that the script touches the room's
     * keys alone (one hash slot: Redis Cluster); two servers' updates of one room may land in the
     * other order, and the directory then shows the older count until the next refresh (a period).
     */
    void tell(String room, List<String> changes) {
        String[] roomKeys = {keys.presence(room), keys.names(room), keys.presenceVersion(room), keys.meta(room)};
        run(roomKeys, keys.channel(room), "", changes)
                .thenCompose(counts -> link.call("directory", redis -> list(redis, room, counts.get(1))))
                .whenComplete((listed, error) -> {
                    if (error != null) {
                        // told again at the next refresh; until then others may miss this server's names
                        hub.events().record(Level.WARNING, "presence not updated in Redis", error.toString());
                    }
                });
    }

    /**
     * The same for the whole chat's names, across rooms (the webhooks' {@code online} and
     * {@code offline}, {@link RedisWebhooks}): a name's first server anywhere adds {@code online} to
     * the webhook stream unless it was announced already, its last one gone makes its offline due
     * after {@code graceMillis}; a server that died is swept as in a room.
     */
    void tellWhole(List<String> changes, long graceMillis) {
        String[] wholeKeys = {keys.wholePresence(), keys.wholeNames(), keys.webhooks(), keys.announced(), keys.offlineDue()};
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

    /** The directory: rooms with a name online, scored by minus how many; direct conversations never. */
    private CompletionStage<Long> list(RedisClusterAsyncCommands<String, String> redis, String room, long online) {
        return online > 0 && !Direct.is(room) ? redis.zadd(keys.directory(), -online, room)
                : redis.zrem(keys.directory(), room);
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

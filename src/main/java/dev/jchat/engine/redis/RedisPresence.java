package dev.jchat.engine.redis;

import dev.jchat.config.ChatConfig;
import dev.jchat.room.Audience;
import dev.jchat.ChatHub;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Presence across servers ({@code presence.lua}): tells Redis which names this server has in a
 * room, which also sweeps the names of servers that stopped refreshing theirs and keeps the room
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

    /** Tells Redis of names here ({@code +name}) and gone ({@code -name}); sweeps expired ones of other servers. */
    void tell(String room, List<String> changes) {
        String[] roomKeys = {keys.presence(room), keys.names(room), keys.presenceVersion(), keys.meta(room),
                keys.directory()};
        run(roomKeys, keys.channel(room), room, "", changes);
    }

    /**
     * The same for the whole chat's names, across rooms (the webhooks' {@code online} and
     * {@code offline}, {@link RedisWebhooks}): a name's first server anywhere adds {@code online} to
     * the webhook stream unless it was announced already, its last one gone makes its offline due
     * after {@code graceMillis}; a server that died is swept as in a room.
     */
    void tellWhole(List<String> changes, long graceMillis) {
        String[] wholeKeys = {keys.wholePresence(), keys.wholeNames(), keys.presenceVersion(), keys.meta(""),
                keys.directory(), keys.webhooks(), keys.announced(), keys.offlineDue()};
        run(wholeKeys, "", "", Long.toString(graceMillis), changes); // no room's keys touched, nothing published
    }

    private void run(String[] presenceKeys, String channel, String room, String grace, List<String> changes) {
        List<String> args = new ArrayList<>(List.of(node, Long.toString(period().toMillis()), channel,
                Long.toString(config.engine().presenceTtlSeconds() * 10L), Long.toString(RoomCalls.EMPTY_ROOM_SECONDS),
                room, grace));
        args.addAll(changes);
        link.call("presence", redis -> Script.PRESENCE.run(redis, presenceKeys, args.toArray(String[]::new)))
                .whenComplete((count, error) -> {
                    if (error != null) {
                        // told again at the next refresh; until then others may miss this server's names
                        hub.events().record(Level.WARNING, "presence not updated in Redis", error.toString());
                    }
                });
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

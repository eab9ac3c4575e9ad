package dev.jchat.engine.redis;

import dev.jchat.ChatHub;
import dev.jchat.config.ChatConfig;
import dev.jchat.room.Positions;
import io.lettuce.core.ScoredValue;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Read positions and "my rooms" in Redis ({@code positions.lua}): per owner a sorted set of its
 * rooms by when it was last active there and a hash of its read positions, both expiring
 * {@code CHAT_HISTORY_DAYS} after its last activity, so they outlive restarts and are one across
 * servers. Activity is scored on Redis' clock (the script's {@code TIME}), one clock for every
 * server, so the {@code nowMillis} the callers pass is not used here. See docs/REDIS.md, "Read
 * positions and my rooms". Thread-safe.
 */
final class RedisPositions implements Positions {

    private final ChatConfig config;
    private final ChatHub hub;
    private final RedisLink link;
    private final RedisKeys keys;

    RedisPositions(ChatConfig config, ChatHub hub, RedisLink link, RedisKeys keys) {
        this.config = config;
        this.hub = hub;
        this.link = link;
        this.keys = keys;
    }

    @Override
    public void visited(String owner, String room, long nowMillis) {
        run(owner, room, "").whenComplete((moved, error) -> {
            if (error != null) {
                hub.events().record(Level.WARNING, "a room was not added to a name's rooms: Redis did not answer", error.toString());
            }
        });
    }

    @Override
    public CompletionStage<Boolean> read(String owner, String room, long id, long nowMillis) {
        return run(owner, room, Long.toString(id)).thenApply(moved -> moved == 1);
    }

    private CompletableFuture<Long> run(String owner, String room, String id) {
        return link.call("positions", redis -> Script.POSITIONS.<Long>run(redis,
                new String[] {keys.mine(owner), keys.read(owner)}, room, id, Integer.toString(MAX_ROOMS), keepSeconds()));
    }

    @Override
    public void forget(String owner, String room) {
        link.call("forget", redis -> {
            return redis.zrem(keys.mine(owner), room).thenCompose(removed -> redis.hdel(keys.read(owner), room));
        }).whenComplete((count, error) -> {
            if (error != null) {
                hub.events().record(Level.WARNING, "a room was not taken off a name's rooms: Redis did not answer", error.toString());
            }
        });
    }

    @Override
    public CompletionStage<List<Mine>> mine(String owner) {
        long since = System.currentTimeMillis() - Long.parseLong(keepSeconds()) * 1000;
        return link.call("mine", redis -> redis.zrevrangeWithScores(keys.mine(owner), 0, MAX_ROOMS - 1))
                .thenCompose(scored -> {
                    List<ScoredValue<String>> rooms = scored.stream().filter(s -> s.getScore() >= since).toList();
                    if (rooms.isEmpty()) {
                        return CompletableFuture.completedFuture(List.<Mine>of());
                    }
                    String[] names = rooms.stream().map(ScoredValue::getValue).toArray(String[]::new);
                    return link.call("mine", redis -> redis.hmget(keys.read(owner), names)).thenApply(reads -> {
                        List<Mine> result = new ArrayList<>(rooms.size());
                        for (int i = 0; i < rooms.size(); i++) {
                            result.add(new Mine(names[i], (long) rooms.get(i).getScore(),
                                    Long.parseLong(reads.get(i).getValueOrElse("0"))));
                        }
                        return result;
                    });
                });
    }

    private String keepSeconds() {
        return Long.toString(config.engine().historyDays() * 86_400L);
    }
}

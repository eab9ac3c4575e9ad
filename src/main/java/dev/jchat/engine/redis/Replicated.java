package dev.jchat.engine.redis;

import dev.jchat.ChatHub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code CHAT_REDIS_WAIT_REPLICAS}: a chat message is published only once that many replicas hold
 * it, so that a failover to one of them never loses a message its sender saw acknowledged (the
 * echo). {@code publish.lua} numbers and stores the message but holds it (the room's held hash)
 * instead of publishing it, on a connection of held messages to the room's master
 * ({@link RedisLink.Held}: one Redis's, or in a cluster the master of the room's slot); then
 * {@link #settle} sends Redis {@code WAIT} on that same connection (it waits for what that
 * connection wrote, and blocks no other command), for as long as the message's deadline leaves, and
 * {@code release.lua} either marks it ready, publishing it and every ready one after it in id order,
 * or, with too few replicas, takes it out of the log: its sender gets {@code unavailable} and it is
 * never published. A message ready behind one still waiting is published when that one is settled,
 * at its deadline at the latest (whoever calls then drops it), so the server asks again then; its
 * sender is not told unavailable meanwhile (it is replicated, and will be published). See
 * docs/REDIS.md, "Acknowledged means replicated". Thread-safe (no state of its own).
 */
final class Replicated {

    /** Left of a message's deadline for the release after {@code WAIT}. */
    private static final long RELEASE_MILLIS = 100;
    /** After the deadline of the message one waits behind, before asking again. */
    private static final long AFTER_DEADLINE_MILLIS = 20;
    /** Calls that ask again for a ready message to be published, before the room's next message does it. */
    private static final int FLUSHES = 20;
    /** How often the master's replicas are counted. */
    private static final Duration ROLE_PERIOD = Duration.ofSeconds(1);
    /** Before asking again after a call that failed. */
    private static final long RETRY_MILLIS = 200;

    private final ChatHub hub;
    private final RedisLink link;
    private final RedisKeys keys;
    private final int replicas;
    private final boolean webhooks; // a held message's webhook event is written when it is published
    /** Replicas connected to each master ({@link RedisLink#masters}), as {@code ROLE} said at most a second ago. */
    private final Map<String, Integer> connected = new ConcurrentHashMap<>();

    Replicated(ChatHub hub, RedisLink link, RedisKeys keys, int replicas, boolean webhooks) {
        this.hub = hub;
        this.link = link;
        this.keys = keys;
        this.replicas = replicas;
        this.webhooks = webhooks;
        hub.schedule(this::countReplicas, ROLE_PERIOD);
    }

    /**
     * Reads how many replicas each master has, every second: with fewer than asked, a {@code WAIT}
     * could only time out, holding the held messages of that master behind it for the message's
     * deadline, so a message is refused at once instead (a replica back is seen within a second).
     */
    private void countReplicas() {
        if (link.closed()) {
            return;
        }
        if (link.reachable()) {
            List<String> masters = link.masters();
            connected.keySet().retainAll(masters);
            for (String master : masters) {
                link.callOn(master, "role", redis -> redis.role()).whenComplete((role, error) -> {
                    if (error == null && role.size() > 2 && "master".equals(String.valueOf(role.get(0)))
                            && role.get(2) instanceof List<?> list) {
                        connected.put(master, list.size());
                    } else if (error == null) {
                        connected.put(master, 0); // a replica's answer: nothing written there is replicated
                    }
                });
            }
        }
        hub.schedule(this::countReplicas, ROLE_PERIOD);
    }

    /**
     * Whether the master of the room's slot had as many replicas as asked at the last count
     * (a master not counted yet is given the benefit of the doubt): without, a message is refused
     * before it is even numbered.
     */
    boolean enough(String room) {
        return connected.getOrDefault(link.masterOf(keys.held(room)), Integer.MAX_VALUE) >= replicas;
    }

    /** What a message refused for want of replicas fails with. */
    IllegalStateException tooFew() {
        return new IllegalStateException("fewer than " + replicas + " replica(s) acknowledged the message in time:"
                + " not published");
    }

    /**
     * Waits for the replicas to hold message {@code id} of the room, written on {@code held}, then
     * has it published through the command connection (now, or
     * once those before it are settled); fails, with the message taken out of the log, when too few
     * had it by {@code giveUpAt} (this server's clock).
     */
    CompletionStage<Void> settle(RedisLink.Held held, String room, long id, long giveUpAt) {
        long wait = giveUpAt - link.clock().now() - RELEASE_MILLIS;
        CompletionStage<Long> acknowledged = wait < 1 || !enough(room) // WAIT with 0 would wait for ever
                ? CompletableFuture.completedStage(0L)
                : held.await(replicas, wait);
        return acknowledged.handle((count, error) -> error == null && count >= replicas)
                .thenCompose(enough -> release(room, id, enough ? "ok" : "drop"))
                .thenCompose(state -> follow(room, id, state));
    }

    private CompletionStage<Void> follow(String room, long id, List<Object> state) {
        return switch (String.valueOf(state.get(0))) {
            case "p" -> CompletableFuture.completedStage(null);
            case "w" -> {
                flushLater(room, id, untilDeadline(state), FLUSHES);
                yield CompletableFuture.completedStage(null); // replicated: it is published, if a little later
            }
            default -> CompletableFuture.failedStage(tooFew());
        };
    }

    /**
     * Message {@code id} is ready behind one still waiting: asks again in {@code delayMillis} (once
     * that one's deadline passed, when whoever asks settles it), until it is published. Another
     * server's call publishes it too; these calls make sure it is, even if none comes.
     */
    private void flushLater(String room, long id, long delayMillis, int left) {
        hub.schedule(() -> release(room, id, "flush").whenComplete((next, error) -> {
            if (error == null && !"w".equals(String.valueOf(next.get(0)))) {
                return; // published
            }
            if (left > 1 && !link.closed()) {
                flushLater(room, id, error != null ? RETRY_MILLIS : untilDeadline(next), left - 1);
            } else {
                hub.events().record(System.Logger.Level.WARNING, "a replicated chat message waits to be published"
                        + " until the room's next message", error == null ? null : error.toString());
            }
        }), Duration.ofMillis(delayMillis));
    }

    /** From release.lua's {@code {'w', deadline}}: how long until that deadline (Redis' clock) has passed. */
    private long untilDeadline(List<Object> waiting) {
        long redisNow = link.clock().onRedis(link.clock().now());
        return Math.max(0, Long.parseLong(String.valueOf(waiting.get(1))) - redisNow) + AFTER_DEADLINE_MILLIS;
    }

    private CompletionStage<List<Object>> release(String room, long id, String how) {
        String[] roomKeys = webhooks ? new String[] {keys.held(room), keys.log(room), keys.texts(room), keys.webhooks(room)}
                : new String[] {keys.held(room), keys.log(room), keys.texts(room)};
        CompletionStage<List<Object>> released = link.call("release", redis -> Script.RELEASE.<List<Object>>run(redis,
                roomKeys, Long.toString(id), how, keys.channel(room)));
        return webhooks ? released.thenApply(state -> RedisWebhooks.listed(link, keys, room, state)) : released;
    }
}

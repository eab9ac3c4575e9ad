package dev.jchat.engine.redis;

import dev.jchat.room.RoomRegistry.Posted;
import dev.jchat.config.ChatConfig;
import dev.jchat.logging.Field;
import dev.jchat.message.ChatMessage;
import dev.jchat.message.ErrorCode;
import dev.jchat.security.RefusedException;
import dev.jchat.message.FrameEncoder;
import dev.jchat.message.LogEntry;
import dev.jchat.message.Notice;
import dev.jchat.room.Audience;
import dev.jchat.room.RoomLog;
import dev.jchat.room.Sanctions;
import dev.jchat.webhook.WebhookEvents;
import dev.jchat.ChatHub;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * What a {@link RedisRoom} asks of Redis: a sync ({@code load.lua}), a message or another entry
 * of the log ({@code publish.lua}, with its deadline), a chat message as it is now, a direct
 * conversation's claims ({@code owners.lua}), typing and notices; and what the rooms tell the operator when Redis does not answer or no longer holds
 * what they saw. Thread-safe.
 */
final class RoomCalls {

    private static final System.Logger LOG = System.getLogger(RoomCalls.class.getName());
    /** A message not published by then is never published: the sender was told it is unavailable. */
    static final long PUBLISH_DEADLINE_MILLIS = 2_000;
    /** A room that never had a message is kept this long in Redis after anyone was last in it. */
    static final long EMPTY_ROOM_SECONDS = 86_400;

    private final ChatConfig config;
    private final ChatHub hub;
    private final RedisLink link;
    private final RedisKeys keys;
    private final Replicated replicated; // null without CHAT_REDIS_WAIT_REPLICAS

    RoomCalls(ChatConfig config, ChatHub hub, RedisLink link, RedisKeys keys) {
        this.config = config;
        this.hub = hub;
        this.link = link;
        this.keys = keys;
        int replicas = config.engine().redisWaitReplicas();
        this.replicated = replicas == 0 ? null : new Replicated(hub, link, keys, replicas, config.webhookUrl() != null);
    }

    /**
     * The room's sequence, newest messages and names online, read in one step; starts an epoch for
     * a new room, and the room's next one when Redis no longer holds what was seen of it: id
     * {@code seenId} of {@code seenEpoch} (null: nothing seen), or, if {@code lost}, another
     * message than Redis holds at an id of that epoch.
     */
    CompletionStage<Snapshot> load(String room, String seenEpoch, long seenId, boolean lost) {
        String[] roomKeys = {keys.meta(room), keys.log(room), keys.names(room), keys.presenceVersion(room),
                keys.texts(room), keys.edits(room), keys.sanctions(room), keys.held(room)};
        return link.call("load", redis -> Script.LOAD.<List<Object>>run(redis, roomKeys,
                Audience.newEpoch(), Integer.toString(config.historySize()), Long.toString(EMPTY_ROOM_SECONDS),
                seenEpoch == null ? "" : seenEpoch, Long.toString(seenId), lost ? "1" : "0", keys.channel(room)))
                .thenApply(Snapshot::of);
    }

    /**
     * Numbers, stores and publishes one message; fails, publishing nothing, when Redis is unavailable.
     * {@code seenEpoch} and {@code seenId} are this server's copy of the room: a Redis that is behind
     * it starts the room's next epoch first. The server alone decides when to give up, on its own
     * monotonic clock: {@link #PUBLISH_DEADLINE_MILLIS} from now. Redis' check of the deadline, on
     * its clock, only makes sure that a command it runs after that is refused (LATE) instead of
     * published; a LATE that comes back before the server's own deadline says the two clocks
     * disagreed, not that the message is late, so the server measures Redis' clock again from it and
     * tries again (LATE published nothing). Answers the message's id.
     */
    CompletionStage<Long> publish(String room, String user, String text, String seenEpoch, long seenId) {
        return publish(new ChatMessage(0, user, Audience.now(), text, room), seenEpoch, seenId).thenApply(Posted::id);
    }

    /**
     * As above, for a message made elsewhere (the HTTP API's, {@code "api":true}); answers its id and
     * epoch. With {@code CHAT_REDIS_WAIT_REPLICAS}, the message is held, not published, until that
     * many replicas have it ({@link Replicated}); else it is taken out of the log and this fails.
     */
    CompletionStage<Posted> publish(ChatMessage message, String seenEpoch, long seenId) {
        String[] around = FrameEncoder.chatAroundId(message);
        long giveUpAt = deadline();
        if (replicated != null && !replicated.enough(message.room())) {
            return CompletableFuture.failedStage(replicated.tooFew()); // WAIT could only time out
        }
        CompletionStage<RedisLink.Held> way = replicated == null ? CompletableFuture.completedStage(null)
                : link.held(keys.held(message.room()));
        return way.thenCompose(held -> append(message.room(), around, new String[] {"chat", "", "", "", "", ""}, true,
                seenEpoch, seenId, giveUpAt, held)
                .thenCompose(reply -> held == null ? CompletableFuture.completedStage(reply) : replicated.settle(held,
                        message.room(), Long.parseLong(String.valueOf(reply.get(0))), giveUpAt).thenApply(published -> reply)))
                .thenApply(reply -> {
                    hub.metrics().published();
                    return new Posted(message.room(), Long.parseLong(String.valueOf(reply.get(0))), // {id, epoch}
                            String.valueOf(reply.get(1)), message.dateTime());
                });
    }

    /** When an entry that came now is given up on, on this server's clock: {@link #PUBLISH_DEADLINE_MILLIS} from now. */
    long deadline() {
        return link.clock().now() + PUBLISH_DEADLINE_MILLIS;
    }

    /**
     * Chat message {@code id} of the room's log as Redis holds it now: its frame as stored (what
     * {@link #amend} compares), or null when Redis holds no such message.
     */
    CompletionStage<String> message(String room, long id) {
        return link.call("message", redis -> redis.hget(keys.texts(room), Long.toString(id))).thenApply(RoomCalls::chat);
    }

    /** The room's mutes and bans as Redis holds them now ({@link SanctionsHash}). */
    CompletionStage<Sanctions> sanctions(String room) {
        return link.call("sanctions", redis -> redis.hgetall(keys.sanctions(room))).thenApply(hash -> {
            List<String> flat = new java.util.ArrayList<>();
            hash.forEach((field, value) -> {
                flat.add(field);
                flat.add(value);
            });
            Sanctions sanctions = new Sanctions();
            SanctionsHash.load(flat, sanctions);
            return sanctions;
        });
    }

    /** The room's epoch as Redis holds it now, or null when Redis holds no such room. */
    CompletionStage<String> epoch(String room) {
        return link.call("epoch", redis -> redis.hget(keys.meta(room), "epoch"));
    }

    /** A frame of the texts hash if it is a chat message's (not an edit's), else null. */
    private static String chat(String frame) {
        return frame != null && FrameEncoder.isChat(frame) ? frame : null;
    }

    /**
     * What {@link #amend} came to: the entry's id, or 0 when nothing was appended because the
     * message changed meanwhile ({@code now}: its frame now, null when Redis no longer holds it),
     * or because the room is in another epoch than the copy ({@code otherEpoch}).
     */
    record Amended(long id, String now, boolean otherEpoch) {
    }

    /**
     * Appends an entry about a chat message, decided on that message as {@link #message} read it
     * ({@code read}), and stores the message as it is after it ({@code after}), only if Redis still
     * holds exactly {@code read} in the copy's epoch ({@code seenEpoch}); else appends nothing
     * ({@link Amended}). An entry about no message (moderation: target 0, {@code read} and
     * {@code after} null) is appended as it is; a mute or ban, or its lifting, is written to the
     * room's sanctions in the same step ({@link SanctionsHash}). Fails as {@link #publish} does,
     * with the same deadline ({@code giveUpAt}, {@link #deadline}).
     */
    CompletionStage<Amended> amend(String room, LogEntry entry, String read, ChatMessage after, String seenEpoch,
                                   long seenId, long giveUpAt) {
        String kind = entry instanceof LogEntry.Edit ? "edit" : entry instanceof LogEntry.Delete ? "delete" : "other";
        LogEntry.Moderation moderation = entry instanceof LogEntry.Moderation m ? m : null;
        String[] about = {kind, entry.target() == 0 ? "" : Long.toString(entry.target()), read == null ? "" : read,
                after == null ? "" : FrameEncoder.toJson(after),
                moderation == null ? "" : SanctionsHash.field(moderation),
                moderation == null ? "" : SanctionsHash.value(moderation)};
        return append(room, FrameEncoder.entryAroundId(entry), about, WebhookEvents.eventful(entry), seenEpoch, seenId,
                giveUpAt, null).thenApply(reply -> {
            long id = Long.parseLong(String.valueOf(reply.get(0)));
            if (id > 0) {
                hub.metrics().published();
            }
            return new Amended(id, reply.size() > 2 ? chat(emptyAsNull(String.valueOf(reply.get(2)))) : null,
                    id == 0 && reply.size() == 2);
        });
    }

    /**
     * Decides an amendment by {@code user} on the message as {@code read} (null: Redis holds none)
     * and appends the entry if Redis still holds it so; if it changed meanwhile, decides again on
     * what Redis answered it is now, {@code tries} times in all. Fails when it kept changing, or
     * when Redis is in another epoch than the copy (whose members are about to come back to it).
     * The decision's entry carries the id it was appended at.
     *
     * @param seenEpoch the epoch of the copy deciding (null: a server without one, the HTTP API's)
     */
    CompletionStage<RoomLog.Decision> amend(String room, String user, boolean moderator, RoomLog.Amend amend,
                                            String read, String seenEpoch, long seenId, long giveUpAt, int tries) {
        ChatMessage now = read == null ? null : (ChatMessage) FrameEncoder.logFrame(read);
        RoomLog.Decision decision = RoomLog.decide(now, amend, user, moderator, room, Audience.now());
        if (decision.entry() == null) {
            return CompletableFuture.completedStage(decision);
        }
        return amend(room, decision.entry(), read, RoomLog.apply(now, decision.entry()), seenEpoch, seenId, giveUpAt)
                .thenCompose(amended -> {
                    if (amended.id() > 0) {
                        return CompletableFuture.completedStage(
                                new RoomLog.Decision(decision.entry().withId(amended.id()), null, null));
                    } else if (amended.otherEpoch() || tries <= 1) {
                        return CompletableFuture.failedStage(new IllegalStateException(amended.otherEpoch()
                                ? "the room went on in another epoch" : "the message kept changing"));
                    }
                    return amend(room, user, moderator, amend, amended.now(), seenEpoch, seenId, giveUpAt, tries - 1);
                });
    }

    /** Completes the HTTP API's deletion from what the amendment came to: the entry's id, or why not. */
    static void settle(CompletableFuture<Long> deleted, RoomLog.Decision decision, Throwable error) {
        if (error != null) {
            deleted.completeExceptionally(error);
        } else if (decision.entry() == null) {
            deleted.completeExceptionally(new RefusedException(
                    decision.refusal() == null ? ErrorCode.NOT_FOUND : decision.refusal(), decision.why()));
        } else {
            deleted.complete(decision.entry().id());
        }
    }

    private static String emptyAsNull(String text) {
        return text.isEmpty() ? null : text;
    }

    /**
     * Runs {@code publish.lua} for one entry; with {@code held} (not null), on that connection, and the
     * entry is stored, not published (see {@link Replicated});
     * {@code event}: the entry makes a webhook event, which publish.lua writes to their stream when webhooks are on.
     */
    private CompletionStage<List<?>> append(String room, String[] around, String[] about, boolean event, String seenEpoch,
                                            long seenId, long giveUpAt, RedisLink.Held held) {
        String[] seen = {seenEpoch == null ? "" : seenEpoch, Long.toString(seenId)};
        boolean webhooks = event && config.webhookUrl() != null;
        String[] roomKeys = webhooks
                ? new String[] {keys.meta(room), keys.log(room), keys.texts(room), keys.edits(room), keys.sanctions(room),
                        keys.held(room), keys.webhooks(room)}
                : new String[] {keys.meta(room), keys.log(room), keys.texts(room), keys.edits(room), keys.sanctions(room),
                        keys.held(room)};
        return publish(roomKeys, room, around, seen, about, giveUpAt, held, 3)
                .thenApply(reply -> webhooks && held == null ? RedisWebhooks.listed(link, keys, room, (List<?>) reply)
                        : (List<?>) reply);
    }

    private CompletionStage<Object> publish(String[] roomKeys, String room, String[] around, String[] seen, String[] about,
                                            long giveUpAt, RedisLink.Held held, int tries) {
        RedisClock clock = link.clock();
        long deadline = clock.onRedis(giveUpAt); // the same instant on Redis' clock, or sooner
        boolean hold = held != null;
        Function<RedisClusterAsyncCommands<String, String>, CompletionStage<Object>> script = redis -> Script.PUBLISH.run(
                redis, roomKeys, around[0], around[1], Integer.toString(config.historySize()),
                Long.toString(config.engine().historyDays() * 86_400L), Audience.newEpoch(), keys.channel(room),
                Long.toString(deadline), seen[0], seen[1], about[0],
                Long.toString((long) config.historySize() * RoomLog.ENTRIES_PER_MESSAGE), about[1], about[2], about[3],
                about[4], about[5], hold ? "1" : "");
        return (hold ? held.call("publish", script) : link.call("publish", script))
                .handle((reply, error) -> {
                    if (error == null) {
                        return CompletableFuture.completedStage(reply);
                    }
                    OptionalLong late = Script.late(error);
                    if (late.isPresent()) {
                        long now = clock.now();
                        clock.measured(late.getAsLong(), now);
                        if (now < giveUpAt && tries > 1) { // a measure and a try suffice, unless a clock jumps on
                            hub.events().record(Level.WARNING, "Redis' clock and this server's disagreed: a message"
                                    + " refused as late before its deadline here was sent again", null);
                            return publish(roomKeys, room, around, seen, about, giveUpAt, held, tries - 1);
                        }
                    }
                    return CompletableFuture.<Object>failedStage(error);
                }).thenCompose(Function.identity());
    }

    /**
     * Records the claims a direct conversation belongs to; true when it started over under a new
     * epoch because they were not those it was made between.
     */
    CompletionStage<Boolean> owners(String room, String owners) {
        String[] roomKeys = {keys.meta(room), keys.log(room), keys.texts(room), keys.edits(room)};
        return link.call("owners", redis -> Script.OWNERS.<Long>run(redis, roomKeys,
                owners, Audience.newEpoch(), keys.channel(room), Long.toString(EMPTY_ROOM_SECONDS)))
                .thenApply(started -> started == 1);
    }

    /** Tells every server with someone in the room that {@code user} is typing; dropped when Redis is not there. */
    void typing(String room, String user) {
        String message = new ChannelMessage.Typing(user).text();
        link.call("typing", redis -> redis.spublish(keys.channel(room), message)).whenComplete((receivers, error) -> {
            if (error != null) {
                LOG.log(Level.DEBUG, "typing not relayed: {0}", error.toString());
            }
        });
    }

    /**
     * Tells every server of a message in a direct conversation, for {@code user}'s connections
     * that are not in it; a notice lost while Redis is down is only logged (the message is in the room).
     */
    void notice(String user, String room, Notice notice) {
        String message = new ChannelMessage.Notice(user, room, FrameEncoder.toJson(notice)).text();
        link.call("notice", redis -> redis.spublish(keys.notices(), message)).whenComplete((receivers, error) -> {
            if (error != null) {
                hub.events().record(Level.WARNING, "notices of direct messages not sent", error.toString());
            }
        });
    }

    /**
     * Tells every other server of a frame for {@code user}'s version-3 connections (a read
     * position's echo, {@code seen}) on the notices channel; one lost while Redis is down is logged.
     */
    void tell(String origin, String user, String frame) {
        String message = new ChannelMessage.Tell(origin, user, frame).text();
        link.call("tell", redis -> redis.spublish(keys.notices(), message)).whenComplete((receivers, error) -> {
            if (error != null) {
                hub.events().record(Level.WARNING, "read positions not told to other servers", error.toString());
            }
        });
    }

    // --- what the rooms tell the operator

    void refusedMessage(Throwable error) {
        hub.events().record(Level.WARNING, "chat messages refused as unavailable: Redis did not take them", error.toString());
    }

    /** A join or naming refused as unavailable because Redis did not answer its claim, check or record. */
    void joinFailed(Throwable error) {
        hub.events().record(Level.WARNING, "connections refused as unavailable: Redis did not answer a name or room step",
                error.toString());
    }

    void syncFailed(String room, Throwable error) {
        hub.events().record(Level.WARNING, "rooms could not be read from Redis", error.toString());
    }

    /** Redis no longer holds what this server saw of the room: the room goes on in a new epoch. */
    void forgotten(String room, String why) {
        hub.events().record(Level.WARNING, "Redis no longer holds what was seen of a room: it goes on in a new epoch",
                why, Field.room(room));
    }

    void lost(String room, long count) {
        LOG.log(Level.WARNING, "room {0}: {1} message(s) were missed here and are no longer in Redis'' history",
                Field.room(room), count);
    }
}

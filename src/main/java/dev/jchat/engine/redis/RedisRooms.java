package dev.jchat.engine.redis;

import dev.jchat.config.ChatConfig;
import dev.jchat.message.ErrorCode;
import dev.jchat.message.MyRooms;
import dev.jchat.message.RoomList;
import dev.jchat.message.ChatMessage;
import dev.jchat.message.LogEntry;
import java.time.Instant;
import dev.jchat.room.Audience;
import dev.jchat.ChatHub;
import dev.jchat.room.HistoryBudget;
import dev.jchat.connection.Frame;
import dev.jchat.connection.Member;
import dev.jchat.room.Names;
import dev.jchat.room.Peers;
import dev.jchat.room.Positions;
import dev.jchat.room.Room;
import dev.jchat.room.RoomLog;
import dev.jchat.room.RoomRegistry;
import dev.jchat.connection.Threads;
import dev.jchat.security.RefusedException;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import dev.jchat.webhook.OnlineNames;
import dev.jchat.webhook.Webhooks;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * Rooms that live in Redis, shared by every chat server on the same Redis and prefix: the registry
 * of this server's copies of them ({@link RedisRoom}: join, retire) and the room directory. Redis
 * numbers each room's messages and keeps them (a stream per room, capped at
 * {@code CHAT_HISTORY_SIZE}); one script per message takes the next id, appends it and
 * publishes it on the room's channel, to which every server with someone in the room is
 * subscribed. Presence is one sorted set per room of {@code server|name} entries that expire
 * unless their server refreshes them. See {@code docs/REDIS.md}.
 *
 * <p>The rest of the engine, one job a class: {@link RedisLink} (the connections, every command,
 * Redis' clock), {@link Channels} (subscriptions, and where each channel message goes),
 * {@link RoomCalls} (what a room asks of Redis), {@link RedisPresence}, {@link RedisNames},
 * {@link ChannelMessage} (the channels' format) and {@link Script} (the Lua scripts). Thread-safe.
 */
public final class RedisRooms implements RoomRegistry {

    private static final System.Logger LOG = System.getLogger(RedisRooms.class.getName());

    private final ChatConfig config;
    private final ChatHub hub;
    private final RedisKeys keys;
    private final HistoryBudget historyBudget; // this server's copies of the rooms' histories share it
    private final ConcurrentMap<String, RedisRoom> rooms = new ConcurrentHashMap<>();
    private final ConcurrentMap<Integer, DirectoryCalls> directoryCalls = new ConcurrentHashMap<>();
    private final Threads threads = new Threads(); // the pool's and Lettuce's
    private final ExecutorService pool;
    private final RedisLink link;
    private final Channels channels;
    private final Disconnects disconnects;
    private final SubscriptionProbe probe;
    private final RoomCalls calls;
    private final RedisPresence presence;
    private final Names names;
    private final RedisPositions positions;
    private volatile RedisWebhooks webhooks; // null: webhooks are off

    /** Starts connecting to {@code CHAT_REDIS_URL} in the background; joins are refused until it is reachable. */
    public RedisRooms(ChatConfig config, ChatHub hub) {
        this.config = config;
        this.hub = hub;
        this.historyBudget = HistoryBudget.ofMegabytes(config.engine().historyMaxMb());
        this.keys = new RedisKeys(config.engine().redisPrefix());
        this.pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                threads.daemons("chat-redis-rooms-"));
        this.link = new RedisLink(config, hub, threads);
        this.disconnects = new Disconnects(hub, link, keys);
        this.channels = new Channels(hub, link, keys, rooms, pool, disconnects);
        this.probe = new SubscriptionProbe(hub, link, Duration.ofSeconds(config.engine().redisProbeSeconds()));
        this.calls = new RoomCalls(config, hub, link, keys);
        this.presence = new RedisPresence(config, hub, link, keys);
        this.names = new RedisNames(config, link, keys);
        this.positions = new RedisPositions(config, hub, link, keys);
        presence.start(rooms::values);
        link.start(new RedisLink.Listener() {
            @Override
            public void commandsReady() {
                // what was missed meanwhile, and the names here before anyone sweeps them as gone
                rooms.values().forEach(RedisRoom::reconnected);
                rooms.values().forEach(RedisRoom::refreshPresence);
            }

            @Override
            public void subscriptionsUp() {
                channels.connected();
                probe.subscribe();
            }

            @Override
            public void message(String channel, String message) {
                if (!probe.heard(channel, message)) {
                    channels.received(channel, message);
                }
            }

            @Override
            public void unsubscribed(String channel) {
                if (!probe.unsubscribed(channel)) {
                    channels.unsubscribed(channel);
                }
            }
        });
        probe.start();
    }

    @Override
    public Room join(String name, Member member, Long since, String epoch) throws RefusedException {
        if (!available()) {
            throw new RefusedException(ErrorCode.UNAVAILABLE, RoomRegistry.UNAVAILABLE);
        }
        if (!rooms.containsKey(name) && rooms.size() >= config.maxRooms()) {
            throw new RefusedException(ErrorCode.ROOM_LIMIT,
                    "the server holds as many rooms as it may; try again later or join an existing room");
        }
        boolean[] created = {false};
        RedisRoom room = rooms.compute(name, (key, existing) -> {
            RedisRoom r = existing;
            if (r == null) {
                r = new RedisRoom(this, name, new Serial(pool), config.historySize(), config.historyReplay());
                created[0] = true;
            }
            r.incoming.incrementAndGet(); // not retired before this join is handled
            return r;
        });
        if (created[0]) {
            channels.subscribe(room);
        }
        room.join(member, since, epoch);
        return room;
    }

    /**
     * Reads that cost Redis the rooms they answer (and the dead ones they drop), never all the
     * rooms: the directory is kept in order ({@link #readDirectory}).
     * Questions that come while one is on its way share the next call, so that however many
     * clients ask, a server has one call in flight at most.
     */
    @Override
    public CompletionStage<List<RoomList.Entry>> directory(int max) {
        return directoryCalls.computeIfAbsent(max, DirectoryCalls::new).ask();
    }

    /**
     * The directory calls of one size: one in flight, and one that every question arriving meanwhile
     * waits for, sent when the first is answered (so each answer was read after its question came).
     */
    private final class DirectoryCalls {
        private final int max;
        private boolean inFlight;                             // guarded by this
        private CompletableFuture<List<RoomList.Entry>> next; // guarded by this

        DirectoryCalls(int max) {
            this.max = max;
        }

        CompletionStage<List<RoomList.Entry>> ask() {
            CompletableFuture<List<RoomList.Entry>> answer;
            synchronized (this) {
                if (inFlight) {
                    if (next == null) {
                        next = new CompletableFuture<>();
                    }
                    return next;
                }
                inFlight = true;
                answer = new CompletableFuture<>();
            }
            send(answer);
            return answer;
        }

        private void send(CompletableFuture<List<RoomList.Entry>> answer) {
            readDirectory(max).whenComplete((entries, error) -> {
                CompletableFuture<List<RoomList.Entry>> following;
                synchronized (this) {
                    following = next;
                    next = null;
                    inFlight = following != null;
                }
                if (following != null) {
                    send(following);
                }
                if (error != null) {
                    answer.completeExceptionally(error);
                } else {
                    answer.complete(entries);
                }
            });
        }
    }

    /**
     * The first {@code max} rooms of the directory with someone online, and their newest ids, once
     * this server's own presence updates are written ({@link RedisPresence#settled}). It costs what
     * it answers, not how many rooms there are: the directory is kept in order ({@link RedisPresence}),
     * and each room answered is read where it lives (its presence, names and meta: one hash slot a
     * room, so each read goes to the room's node in a Redis Cluster). The count is the room's own
     * (how many names its hash holds), not the directory's score, which may lag an update by another
     * server: a member who saw a join finds it counted, wherever it was made. A room
     * whose presence all expired (its servers died, nobody swept it) is dropped from the directory
     * when met: no command here holds Redis for longer than one room's read, however many there are.
     */
    private CompletionStage<List<RoomList.Entry>> readDirectory(int max) {
        return presence.settled().thenCompose(told -> link.call("rooms", redis -> readDirectory(redis, max, new ArrayList<>())));
    }

    /** One batch of the directory from rank {@code found.size()} on; then the next, while rooms were dead. */
    private CompletionStage<List<RoomList.Entry>> readDirectory(RedisClusterAsyncCommands<String, String> redis, int max,
                                                                List<RoomList.Entry> found) {
        long liveSince = link.clock().onRedis(link.clock().now()) - presence.period().toMillis();
        int from = found.size(); // the live rooms met so far hold the ranks before it: the dead left the set
        int wanted = max - found.size();
        return redis.zrangeWithScores(keys.directory(), from, from + wanted - 1).thenCompose(batch -> {
            List<CompletableFuture<Long>> live = new ArrayList<>(batch.size());
            List<CompletableFuture<Long>> online = new ArrayList<>(batch.size());
            List<CompletableFuture<String>> seqs = new ArrayList<>(batch.size());
            for (ScoredValue<String> entry : batch) {
                live.add(redis.zcount(keys.presence(entry.getValue()), Range.create(liveSince, Double.POSITIVE_INFINITY))
                        .toCompletableFuture());
                online.add(redis.hlen(keys.names(entry.getValue())).toCompletableFuture());
                seqs.add(redis.hget(keys.meta(entry.getValue()), "seq").toCompletableFuture());
            }
            return CompletableFuture.allOf(live.toArray(CompletableFuture[]::new))
                    .thenCombine(CompletableFuture.allOf(online.toArray(CompletableFuture[]::new)), (a, b) -> b)
                    .thenCombine(CompletableFuture.allOf(seqs.toArray(CompletableFuture[]::new)), (a, b) -> b)
                    .thenCompose(read -> {
                        List<CompletableFuture<Long>> dropped = new ArrayList<>();
                        for (int i = 0; i < batch.size(); i++) {
                            String room = batch.get(i).getValue();
                            if (live.get(i).join() > 0) {
                                String seq = seqs.get(i).join();
                                found.add(new RoomList.Entry(room, online.get(i).join().intValue(),
                                        seq == null ? 0 : Long.parseLong(seq)));
                            } else {
                                dropped.add(redis.zrem(keys.directory(), room).toCompletableFuture());
                            }
                        }
                        if (dropped.isEmpty() || batch.size() < wanted) { // as many as wanted, or the directory's end
                            return CompletableFuture.completedFuture(RoomRegistry.firstOf(found, max));
                        }
                        return CompletableFuture.allOf(dropped.toArray(CompletableFuture[]::new))
                                .thenCompose(done -> readDirectory(redis, max, found));
                    });
        });
    }

    /**
     * Through {@code publish.lua}, as a member's chat, from any server, unless the room's mutes and
     * bans as Redis holds them now refuse the name: a room held here lends its
     * copy's epoch and newest id ({@link RoomCalls#publish}); one that is not is published to as it
     * is in Redis, and every server holding it gets the message on its channel.
     */
    @Override
    public CompletionStage<Posted> post(ChatMessage message) {
        return calls.sanctions(message.room()).thenCompose(sanctions -> {
            RefusedException refused = sanctions.refusal(message.user(), Audience.now());
            if (refused != null) {
                return CompletableFuture.failedFuture(refused);
            }
            RedisRoom room = rooms.get(message.room());
            return room == null ? calls.publish(message, null, 0) : room.post(message);
        });
    }

    /**
     * In its turn among the amendments of a room held here; on a server without it, decided on the
     * message as Redis holds it and appended by {@code publish.lua} only if it is still so, as a
     * copy's amendment is.
     */
    @Override
    public CompletionStage<Long> delete(String name, long id) {
        RedisRoom room = rooms.get(name);
        if (room != null) {
            return room.delete(id);
        }
        CompletableFuture<Long> deleted = new CompletableFuture<>();
        long giveUpAt = calls.deadline();
        // the epoch first: publish.lua appends only to the epoch the message was read in
        calls.epoch(name).thenCompose(epoch -> calls.message(name, id).thenCompose(read -> calls.amend(name, API_USER,
                        true, new RoomLog.Delete(id), read, epoch, 0, giveUpAt, RedisRoom.AMEND_TRIES)))
                .whenComplete((decision, error) -> RoomCalls.settle(deleted, decision, error));
        return deleted;
    }

    /** As a member's moderation, through {@code publish.lua}: from a room held here in its turn, or as Redis holds it. */
    @Override
    public CompletionStage<Long> moderate(String name, String action, String user, Instant until, String reason) {
        LogEntry.Moderation entry = new LogEntry.Moderation(name, 0, action, user, API_USER, until, reason, Audience.now());
        RedisRoom room = rooms.get(name);
        return room != null ? room.moderate(entry)
                : calls.amend(name, entry, null, null, null, 0, calls.deadline()).thenApply(RoomCalls.Amended::id);
    }

    /** On every server sharing Redis, this one included: {@link Disconnects}. */
    @Override
    public CompletionStage<Integer> disconnect(String user, String reason) {
        return disconnects.ask(user, reason);
    }

    /** From this server's copy of the room, or, when nobody here is in it, from what Redis holds ({@link #read}). */
    @Override
    public CompletionStage<Audience.Page> page(String name, Long before, int limit) {
        RedisRoom room = rooms.get(name);
        return room != null ? CompletableFuture.completedFuture(room.page(before, limit))
                : read(name).thenApply(snapshot -> snapshot == null ? null : Audience.page(snapshot.epoch(),
                        snapshot.lastId(), snapshot.ids(), snapshot.frames(), config.historySize(), before, limit));
    }

    /** The cluster's names online in the room, from this server's copy, or from Redis ({@link #read}). */
    @Override
    public CompletionStage<List<String>> online(String name) {
        RedisRoom room = rooms.get(name);
        return room != null ? CompletableFuture.completedFuture(room.online())
                : read(name).thenApply(snapshot -> snapshot == null ? null : snapshot.names().stream().sorted().toList());
    }

    /**
     * The room as Redis holds it, read as a join reads it (one step: newest messages and names
     * online), for a server with nobody in it; null when it has neither messages nor anyone online
     * (no such room). Like a join that leaves at once, the read of an unknown room leaves only its
     * epoch behind, for {@link RoomCalls#EMPTY_ROOM_SECONDS}.
     */
    private CompletionStage<Snapshot> read(String name) {
        return calls.load(name, null, 0, false)
                .thenApply(snapshot -> snapshot.lastId() == 0 && snapshot.names().isEmpty() ? null : snapshot);
    }

    /** Number of rooms with someone on this server, for tests and metrics. */
    @Override
    public int size() {
        return rooms.size();
    }

    /** True while Redis answers on both connections. */
    public boolean reachable() {
        return link.reachable();
    }

    /** True while Redis answers on both connections and the subscription delivers ({@link SubscriptionProbe}). */
    @Override
    public boolean available() {
        return link.reachable() && probe.delivering();
    }

    /** For tests: the client name of this server's subscription connection in Redis. */
    String subscriberName() {
        return link.subscriberName();
    }

    /** For tests: the channels this server probes its subscription on ({@link SubscriptionProbe}). */
    List<String> probeChannels() {
        return link.probeChannels();
    }

    /** Who holds which name, in Redis: holds outlive restarts and are one across servers. */
    @Override
    public Names names() {
        return names;
    }

    /** Read positions and "my rooms", in Redis: they outlive restarts and are one across servers. */
    @Override
    public Positions positions() {
        return positions;
    }

    /**
     * Names online, newest ids, and what is unread in the rooms this server has no copy of, from
     * Redis, for every room answered in one pipelined round; unread in a room it has someone in is
     * counted from its copy.
     */
    @Override
    public CompletionStage<List<MyRooms.Entry>> mine(String owner, String user) {
        return positions.mine(owner).thenCompose(places -> {
            if (places.isEmpty()) {
                return CompletableFuture.completedFuture(List.<MyRooms.Entry>of());
            }
            return link.call("mine", redis -> {
                List<CompletableFuture<MyRooms.Entry>> lines = new ArrayList<>(places.size());
                for (Positions.Mine place : places) {
                    CompletableFuture<String> seq = redis.hget(keys.meta(place.room()), "seq").toCompletableFuture();
                    CompletableFuture<Long> online = redis.hlen(keys.names(place.room())).toCompletableFuture();
                    RedisRoom here = rooms.get(place.room());
                    CompletableFuture<Positions.Unread> inRedis = here == null
                            ? unreadInRedis(redis, place.room(), user, place.read()) : null;
                    lines.add(seq.thenCombine(online, (s, n) -> s == null ? 0L : Long.parseLong(s))
                            .thenCombine(inRedis == null ? CompletableFuture.completedFuture(null) : inRedis,
                                    (lastId, counted) -> RoomRegistry.line(place, online.join().intValue(), lastId,
                                            here == null ? counted
                                                    : here.unread(user, Math.min(place.read(), lastId)))));
                }
                return CompletableFuture.allOf(lines.toArray(CompletableFuture[]::new))
                        .thenApply(done -> lines.stream().map(CompletableFuture::join).toList());
            });
        });
    }

    /**
     * What is unread in a room this server has no copy of, counted where Redis keeps it by
     * {@code unread.lua}, which mirrors the copies' rule ({@link Positions.Unread}): at most
     * {@link Positions#MAX_UNREAD} counted, as many chat messages looked at (fewer with a smaller
     * {@code CHAT_HISTORY_SIZE}), and the stream entries they are among, so the cost is bounded
     * whatever the room's size; null (left out of the answer) when it read as many entries as it may
     * without reaching the position or a cap (a reaction storm after the messages). A read position
     * past the room's newest id (a room started over) finds nothing after it, as the copies do with
     * the position capped there.
     */
    CompletableFuture<Positions.Unread> unreadInRedis(RedisClusterAsyncCommands<String, String> redis, String room,
                                                      String user, long read) {
        int lookAt = Math.min(Positions.MAX_UNREAD, config.historySize());
        return Script.UNREAD.<List<Object>>run(redis, new String[] {keys.log(room), keys.texts(room)},
                Long.toString(read), user, Positions.mention(user), Integer.toString(Positions.MAX_UNREAD),
                Integer.toString(lookAt), Integer.toString(lookAt * (1 + RoomLog.ENTRIES_PER_MESSAGE)))
                .toCompletableFuture()
                .thenApply(reply -> reply.isEmpty() ? null
                        : new Positions.Unread(((Long) reply.get(0)).intValue(), ((Long) reply.get(1)).intValue()));
    }

    @Override
    public void tell(String user, Frame frame, Member except) {
        hub.tell(user, frame, except);
        calls.tell(channels.origin(), user, frame.json());
    }

    @Override
    public void close() {
        RedisWebhooks delivering = webhooks;
        if (delivering != null) {
            delivering.close();
        }
        link.drain(); // the last leaves reach Redis
        pool.shutdownNow();
        link.close();
        if (!threads.join(Duration.ofSeconds(2))) {
            LOG.log(Level.WARNING, "the Redis engine's or Lettuce's threads did not end within 2 s of the close");
        }
    }

    @Override
    public OnlineNames.Whereabouts webhooks(Webhooks delivery) {
        webhooks = new RedisWebhooks(hub, link, keys, presence, delivery);
        webhooks.start();
        return webhooks;
    }

    /** For tests: the monotonic clock (ms) the publish deadline is reckoned on, to step or drift it against Redis'. */
    void clock(LongSupplier millis) {
        link.clock().use(millis);
    }

    // --- for the rooms

    /** A member here named itself by its first message (the webhooks' online). */
    void named(Member member) {
        hub.named(member);
    }

    RoomCalls calls() {
        return calls;
    }

    RedisPresence presence() {
        return presence;
    }

    Channels channels() {
        return channels;
    }

    /** The hub this engine serves. */
    ChatHub hub() {
        return hub;
    }

    @Override
    public Peers.Engine peers(Peers peers) {
        RedisPeers engine = new RedisPeers(hub, link, keys, presence.period(), peers);
        engine.start();
        return engine;
    }

    /** The heap this server's copies of every room's history share. */
    HistoryBudget historyBudget() {
        return historyBudget;
    }

    BiConsumer<Runnable, Duration> timer() {
        return hub::schedule;
    }

    /**
     * Where a room's sends run: on the pool, not in the room's task, so the room goes on queueing
     * the next messages meanwhile (and its members' outboxes send them together); on the caller's
     * thread once the engine has stopped.
     */
    Executor sends() {
        return task -> {
            try {
                pool.execute(task);
            } catch (RejectedExecutionException e) {
                task.run();
            }
        };
    }

    /** Forgets the room if nobody is in it or on the way; called from the room's own tasks. */
    boolean retireIfIdle(RedisRoom room, Audience audience) {
        boolean[] retired = {false};
        rooms.computeIfPresent(room.name(), (key, r) -> {
            if (r == room && r.incoming.get() == 0 && audience.retireIfEmpty()) {
                retired[0] = true;
                return null;
            }
            return r;
        });
        if (retired[0]) {
            channels.unsubscribe(room.name());
        }
        return retired[0];
    }
}

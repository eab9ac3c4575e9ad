package dev.jchat.redis;

import dev.jchat.config.ChatConfig;
import dev.jchat.logging.Field;
import dev.jchat.message.ChatMessage;
import dev.jchat.message.ErrorCode;
import dev.jchat.message.FrameEncoder;
import dev.jchat.message.Notice;
import dev.jchat.message.RoomList;
import dev.jchat.metrics.ChatMetrics;
import dev.jchat.room.Audience;
import dev.jchat.room.ChatHub;
import dev.jchat.room.Frame;
import dev.jchat.room.HistoryBudget;
import dev.jchat.room.Member;
import dev.jchat.room.Names;
import dev.jchat.room.Room;
import dev.jchat.room.RoomRegistry;
import dev.jchat.room.Threads;
import dev.jchat.security.InputRules;
import dev.jchat.security.RefusedException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocal;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Rooms that live in Redis, shared by every chat server on the same Redis and prefix. Redis
 * numbers each room's messages and keeps them (a stream per room, capped at
 * {@code CHAT_HISTORY_SIZE}); one script per message takes the next id, appends it and
 * publishes it on the room's channel, to which every server with someone in the room is
 * subscribed. Presence is one sorted set per room of {@code server|name} entries that expire
 * unless their server refreshes them. See {@code docs/REDIS.md}.
 *
 * <p>Two connections: one for commands (pipelined: nothing waits for a reply) and one for the
 * subscriptions. Commands fail at once while Redis is unreachable, and are never sent again after
 * a reconnect. Thread-safe.
 */
public final class RedisRooms implements RoomRegistry {

    private static final System.Logger LOG = System.getLogger(RedisRooms.class.getName());
    /** How long a command may take before it fails. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(3);
    /** A message not published by then is never published: the sender was told it is unavailable. */
    static final long PUBLISH_DEADLINE_MILLIS = 2_000;
    /** How often Redis' clock is read again, so that a step or drift of either clock is absorbed within it. */
    private static final Duration CLOCK_PERIOD = Duration.ofSeconds(1);
    /** Rooms of dead servers one directory call may drop: a call blocks Redis for what it answers and this. */
    private static final int DIRECTORY_DROPS = 200;
    /** A room that never had a message is kept this long in Redis after anyone was last in it. */
    private static final long EMPTY_ROOM_SECONDS = 86_400;

    /** What a sync reads of a room: its sequence, newest messages (oldest first) and names online. */
    record Snapshot(String epoch, long lastId, long version, List<Long> ids, List<Frame> frames, List<String> names) {
    }

    private final ChatConfig config;
    private final ChatHub hub;
    private final RedisKeys keys;
    private final Names names = new RedisNames();
    private final HistoryBudget historyBudget; // this server's copies of the rooms' histories share it
    private final String node = Audience.newEpoch();
    private final ConcurrentMap<String, RedisRoom> rooms = new ConcurrentHashMap<>();
    private final ConcurrentMap<Integer, DirectoryCalls> directoryCalls = new ConcurrentHashMap<>();
    private final ExecutorService pool;
    private final Serial subscriptions;
    private final ClientResources resources;
    private final Threads threads = new Threads(); // the pool's and Lettuce's
    private final RedisClient client;
    private final Thread connector;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CountDownLatch firstAttempt = new CountDownLatch(1);
    private volatile StatefulRedisConnection<String, String> commands;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile boolean commandsUp;
    private volatile boolean pubsubUp;
    private volatile boolean reachable;
    private volatile long clockOffsetMillis; // Redis' clock minus this server's, at most (see measured)
    private volatile LongSupplier clock = () -> System.nanoTime() / 1_000_000; // this server's, monotonic, ms
    private volatile boolean closed;

    /** Starts connecting to {@code CHAT_REDIS_URL} in the background; joins are refused until it is reachable. */
    public RedisRooms(ChatConfig config, ChatHub hub) {
        this.config = config;
        this.hub = hub;
        this.historyBudget = HistoryBudget.ofMegabytes(config.engine().historyMaxMb());
        this.keys = new RedisKeys(config.engine().redisPrefix());
        this.pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                threads.daemons("chat-redis-rooms-"));
        this.subscriptions = new Serial(pool);
        this.resources = DefaultClientResources.builder()
                .threadFactoryProvider(pool -> threads.keep(new DefaultThreadFactory(pool, true))) // as Lettuce's own
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        RedisURI uri = RedisURI.create(config.engine().redisUrl());
        uri.setTimeout(COMMAND_TIMEOUT);
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .replayFilter(command -> true) // a command cut off by a disconnect is never sent again
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).keepAlive(true).build())
                .build());
        client.addListener(new ConnectionStates());
        this.connector = new Thread(this::connect, "chat-redis-connect");
        connector.setDaemon(true);
        connector.start();
        hub.schedule(this::refreshPresence, presencePeriod());
        hub.schedule(this::measureClock, CLOCK_PERIOD);
        awaitFirstAttempt();
        FastThreadLocal.removeAll(); // what setting up Netty left on the deploying thread (see close)
    }

    @Override
    public Room join(String name, Member member, Long since, String epoch) throws RefusedException {
        if (!reachable) {
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
            subscriptions.execute(() -> subscribe(room));
        }
        room.join(member, since, epoch);
        return room;
    }

    /**
     * One script that costs Redis the rooms it answers (and the dead ones it drops, at most
     * {@link #DIRECTORY_DROPS} a call), never all the rooms: Redis keeps the directory in order.
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

    private CompletionStage<List<RoomList.Entry>> readDirectory(int max) {
        return track(call("rooms", redis -> Script.ROOMS.<List<Object>>run(redis, new String[] {keys.directory()},
                keys.prefix(), Long.toString(presencePeriod().toMillis()), Integer.toString(max),
                Integer.toString(DIRECTORY_DROPS)))).thenCompose(flat -> {
                    if (((Number) flat.get(0)).longValue() != 0) {
                        return readDirectory(max); // dead rooms were dropped; each call drops more, so this ends
                    }
                    List<RoomList.Entry> entries = new ArrayList<>(flat.size() / 3);
                    for (int i = 1; i + 2 < flat.size(); i += 3) {
                        entries.add(new RoomList.Entry((String) flat.get(i), Integer.parseInt((String) flat.get(i + 1)),
                                Long.parseLong((String) flat.get(i + 2))));
                    }
                    return CompletableFuture.completedStage(RoomRegistry.firstOf(entries, max));
                });
    }

    /** Number of rooms with someone on this server, for tests and metrics. */
    public int size() {
        return rooms.size();
    }

    /** True while Redis answers on both connections. */
    public boolean reachable() {
        return reachable;
    }

    @Override
    public void close() {
        closed = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            sleep(10); // the last leaves reach Redis
        }
        connector.interrupt();
        pool.shutdownNow();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        try {
            resources.shutdown(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS); // no Netty thread outlives an undeploy
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(Level.WARNING, "Lettuce's threads did not stop within 3 s: {0}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Netty keeps a thread-local on every thread that called it, this one included: a web
        // container reports it as a leak of the application (and it would pin its class loader).
        FastThreadLocal.removeAll();
        try {
            connector.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!threads.join(Duration.ofSeconds(2))) {
            LOG.log(Level.WARNING, "the Redis engine's or Lettuce's threads did not end within 2 s of the close");
        }
        LOG.log(Level.INFO, "disconnected from Redis at {0}", config.engine().redisAddress());
    }

    /** For tests: the monotonic clock (ms) the publish deadline is reckoned on, to step or drift it against Redis'. */
    void clock(LongSupplier millis) {
        clock = millis;
    }

    // --- for the rooms

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

    /**
     * The room's sequence, newest messages and names online, read in one step; starts an epoch for
     * a new room, and the room's next one when Redis no longer holds what was seen of it: id
     * {@code seenId} of {@code seenEpoch} (null: nothing seen), or, if {@code lost}, another
     * message than Redis holds at an id of that epoch.
     */
    CompletionStage<Snapshot> load(String room, String seenEpoch, long seenId, boolean lost) {
        String[] roomKeys = {keys.meta(room), keys.log(room), keys.names(room), keys.presenceVersion()};
        return track(call("load", redis -> Script.LOAD.<List<Object>>run(redis, roomKeys,
                Audience.newEpoch(), Integer.toString(config.historySize()), Long.toString(EMPTY_ROOM_SECONDS),
                seenEpoch == null ? "" : seenEpoch, Long.toString(seenId), lost ? "1" : "0", keys.channel(room))))
                .thenApply(RedisRooms::snapshot);
    }

    /**
     * Numbers, stores and publishes one message; fails, publishing nothing, when Redis is unavailable.
     * {@code seenEpoch} and {@code seenId} are this server's copy of the room: a Redis that is behind
     * it starts the room's next epoch first. The server alone decides when to give up, on its own
     * monotonic clock: {@link #PUBLISH_DEADLINE_MILLIS} from now. Redis' check of the deadline, on
     * its clock, only makes sure that a command it runs after that is refused (LATE) instead of
     * published; a LATE that comes back before the server's own deadline says the two clocks
     * disagreed, not that the message is late, so the server measures Redis' clock again from it and
     * tries again (LATE published nothing).
     */
    CompletionStage<Object> publish(String room, String user, String text, String seenEpoch, long seenId) {
        String[] around = FrameEncoder.chatAroundId(new ChatMessage(0, user, Audience.now(), text, room));
        String[] seen = {seenEpoch == null ? "" : seenEpoch, Long.toString(seenId)};
        return publish(room, around, seen, clock.getAsLong() + PUBLISH_DEADLINE_MILLIS, 3);
    }

    private CompletionStage<Object> publish(String room, String[] around, String[] seen, long giveUpAt, int tries) {
        long deadline = giveUpAt + clockOffsetMillis; // the same instant on Redis' clock, or sooner
        return track(call("publish", redis -> Script.PUBLISH.run(redis, new String[] {keys.meta(room), keys.log(room)},
                around[0], around[1], Integer.toString(config.historySize()),
                Long.toString(config.engine().historyDays() * 86_400L), Audience.newEpoch(), keys.channel(room),
                Long.toString(deadline), seen[0], seen[1]))).handle((reply, error) -> {
                    if (error == null) {
                        return CompletableFuture.completedStage(reply);
                    }
                    OptionalLong late = Script.late(error);
                    if (late.isPresent()) {
                        long now = clock.getAsLong();
                        measured(late.getAsLong(), now);
                        if (now < giveUpAt && tries > 1) { // a measure and a try suffice, unless a clock jumps on
                            hub.events().record(Level.WARNING, "Redis' clock and this server's disagreed: a message"
                                    + " refused as late before its deadline here was sent again", null);
                            return publish(room, around, seen, giveUpAt, tries - 1);
                        }
                    }
                    return CompletableFuture.<Object>failedStage(error);
                }).thenCompose(Function.identity());
    }

    /**
     * Tells every server of a message in a direct conversation, for {@code user}'s connections
     * that are not in it; a notice lost while Redis is down is only logged (the message is in the room).
     */
    void notice(String user, String room, Notice notice) {
        String message = user + "\n" + room + "\n" + FrameEncoder.toJson(notice);
        track(call("notice", redis -> redis.publish(keys.notices(), message))).whenComplete((receivers, error) -> {
            if (error != null) {
                hub.events().record(Level.WARNING, "notices of direct messages not sent", error.toString());
            }
        });
    }

    /** The heap this server's copies of every room's history share. */
    HistoryBudget historyBudget() {
        return historyBudget;
    }

    /**
     * Records the claims a direct conversation belongs to; true when it started over under a new
     * epoch because they were not those it was made between.
     */
    CompletionStage<Boolean> owners(String room, String owners) {
        return track(call("owners", redis -> Script.OWNERS.<Long>run(redis, new String[] {keys.meta(room), keys.log(room)},
                owners, Audience.newEpoch(), keys.channel(room), Long.toString(EMPTY_ROOM_SECONDS))))
                .thenApply(started -> started == 1);
    }

    /** Who holds which name, in Redis: holds outlive restarts and are one across servers. */
    @Override
    public Names names() {
        return names;
    }

    private final class RedisNames implements Names {

        @Override
        public CompletionStage<Claim> claim(String user, String presentedKey) {
            String fresh = Names.newKey();
            String skeleton = InputRules.skeleton(user);
            return track(call("claim", redis -> Script.CLAIM.<String>run(redis, new String[] {keys.name(skeleton), keys.name(user)},
                    presentedKey == null ? "" : Names.digest(presentedKey), Names.digest(fresh), holdSeconds(),
                    user, skeleton)))
                    .thenApply(outcome -> switch (outcome) {
                        case "claimed" -> new Claim(Outcome.CLAIMED, fresh);
                        case "proven" -> new Claim(Outcome.PROVEN, presentedKey);
                        default -> new Claim(Outcome.TAKEN, null);
                    });
        }

        @Override
        public CompletionStage<Holder> holder(String user) {
            String skeleton = InputRules.skeleton(user);
            return track(call("held", redis -> redis.hmget(keys.name(skeleton), "digest", "name"))).thenCompose(fields -> {
                if (fields.get(0).hasValue()) {
                    // a hold made before skeletons has no name: its key was its spelling
                    return CompletableFuture.completedFuture(new Holder(fields.get(1).getValueOrElse(skeleton),
                            fields.get(0).getValue()));
                }
                if (skeleton.equals(user)) {
                    return CompletableFuture.completedFuture(null);
                }
                // one made before skeletons under this very spelling, not yet moved by its holder's claim
                return track(call("held", redis -> redis.hget(keys.name(user), "digest")))
                        .thenApply(digest -> digest == null ? null : new Holder(user, digest));
            });
        }

        @Override
        public void unclaim(String user, String key) {
            track(call("unclaim", redis -> Script.UNCLAIM.<Long>run(redis, new String[] {keys.name(InputRules.skeleton(user))},
                    Names.digest(key))))
                    .whenComplete((count, error) -> {
                        if (error != null) {
                            LOG.log(Level.DEBUG, "an unused claim was not let go: {0}", error.toString());
                        }
                    });
        }

        @Override
        public void released(String user) {
            track(call("hold", redis -> redis.expire(keys.name(InputRules.skeleton(user)),
                    Long.parseLong(holdSeconds())))).whenComplete((ok, error) -> {
                if (error != null) {
                    LOG.log(Level.DEBUG, "a name's hold was not renewed: {0}", error.toString());
                }
            });
        }

        private String holdSeconds() {
            return Long.toString(config.security().nameHoldDays() * 86_400L);
        }
    }

    /** Tells every server with someone in the room that {@code user} is typing; dropped when Redis is not there. */
    void typing(String room, String user) {
        track(call("typing", redis -> redis.publish(keys.channel(room), "t " + user))).whenComplete((receivers, error) -> {
            if (error != null) {
                LOG.log(Level.DEBUG, "typing not relayed: {0}", error.toString());
            }
        });
    }

    /** Tells Redis of names here ({@code +name}) and gone ({@code -name}); sweeps expired ones of other servers. */
    void presence(String room, List<String> changes) {
        List<String> args = new ArrayList<>(List.of(node, Long.toString(presencePeriod().toMillis()), keys.channel(room),
                Long.toString(config.engine().presenceTtlSeconds() * 10L), Long.toString(EMPTY_ROOM_SECONDS), room));
        args.addAll(changes);
        String[] roomKeys = {keys.presence(room), keys.names(room), keys.presenceVersion(), keys.meta(room),
                keys.directory()};
        track(call("presence", redis -> Script.PRESENCE.run(redis, roomKeys, args.toArray(String[]::new))))
                .whenComplete((count, error) -> {
                    if (error != null) {
                        // told again at the next refresh; until then others may miss this server's names
                        hub.events().record(Level.WARNING, "presence not updated in Redis", error.toString());
                    }
                });
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
            subscriptions.execute(() -> unsubscribe(room.name()));
        }
        return retired[0];
    }

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

    // --- connections

    ChatMetrics metrics() {
        return hub.metrics();
    }

    @Override
    public boolean available() {
        return reachable;
    }

    /**
     * A command on the command connection, timed as {@code op}; fails at once, without throwing, while that connection
     * is not up with the scripts loaded.
     */
    private <T> CompletionStage<T> call(String op, Function<RedisAsyncCommands<String, String>, CompletionStage<T>> command) {
        StatefulRedisConnection<String, String> c = commands;
        if (c == null || !commandsUp) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis is not connected"));
        }
        long start = System.nanoTime();
        return send(c, command).whenComplete((result, error) -> hub.metrics().engineCall(op, start));
    }

    private <T> CompletionStage<T> send(StatefulRedisConnection<String, String> c,
                                        Function<RedisAsyncCommands<String, String>, CompletionStage<T>> command) {
        try {
            return command.apply(c.async()).toCompletableFuture().whenComplete((result, error) -> {
                if (error != null && Script.unknown(error)) {
                    prepare(c); // Redis forgot the scripts (SCRIPT FLUSH): unavailable until they are back
                }
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * After every connect of the command connection: loads the scripts and measures Redis' clock
     * (for the publish deadline, checked on Redis' clock; read again every second), then takes commands.
     */
    private void prepare(StatefulRedisConnection<String, String> c) {
        commandsUp = false;
        changed();
        List<CompletableFuture<?>> steps = new ArrayList<>();
        Script.ALL.forEach(script -> steps.add(track(send(c, script::load))));
        CompletableFuture<List<String>> time = track(send(c, redis -> redis.time()));
        steps.add(time);
        CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new)).whenComplete((ok, error) -> {
            if (error != null) {
                // Redis answers but will not take the scripts yet (LOADING after a restart, BUSY):
                // try again shortly, for as long as this connection is the one in use
                hub.events().record(Level.WARNING, "preparing the Redis connection failed; trying again",
                        error.toString());
                hub.schedule(() -> {
                    if (!closed && c == commands && c.isOpen() && !commandsUp) {
                        prepare(c);
                    }
                }, Duration.ofSeconds(1));
                return;
            }
            measured(time.join(), clock.getAsLong());
            commandsUp = c.isOpen();
            changed();
            if (commandsUp) {
                // what was missed meanwhile, and the names here before anyone sweeps them as gone
                rooms.values().forEach(RedisRoom::reconnected);
                rooms.values().forEach(RedisRoom::refreshPresence);
            }
        });
    }

    /** Reads Redis' clock every second, so that a step or drift of either clock lasts at most that long. */
    private void measureClock() {
        if (closed) {
            return;
        }
        if (commandsUp) {
            track(call("time", redis -> redis.time())).whenComplete((time, error) -> {
                if (error != null) {
                    LOG.log(Level.DEBUG, "Redis'' clock not read: {0}", error.toString()); // again in a second
                } else {
                    measured(time, clock.getAsLong());
                }
            });
        }
        hub.schedule(this::measureClock, CLOCK_PERIOD);
    }

    private void measured(List<String> time, long receivedAt) {
        measured(Long.parseLong(time.get(0)) * 1_000 + Long.parseLong(time.get(1)) / 1_000, receivedAt);
    }

    /**
     * Redis' clock read {@code redisMillis} at some instant before this server's read {@code receivedAt}:
     * the difference is at most the true offset (by the reply's way back), so a deadline reckoned
     * with it falls on Redis' clock no later than the server's own. The newest reading wins: a step
     * of either clock counts from the next reading on.
     */
    private void measured(long redisMillis, long receivedAt) {
        clockOffsetMillis = redisMillis - receivedAt;
    }

    private <T> CompletableFuture<T> track(CompletionStage<T> stage) {
        inFlight.incrementAndGet();
        return stage.toCompletableFuture().whenComplete((result, error) -> inFlight.decrementAndGet());
    }

    /** Connects both connections, retrying each second until Redis answers; Lettuce reconnects after that. */
    private void connect() {
        boolean told = false;
        while (!closed) {
            try {
                if (commands == null) {
                    commands = client.connect();
                }
                if (pubsub == null) {
                    StatefulRedisPubSubConnection<String, String> p = client.connectPubSub();
                    p.addListener(new RedisPubSubAdapter<>() {
                        @Override
                        public void message(String channel, String message) {
                            received(channel, message);
                        }
                    });
                    pubsub = p;
                    listenToNotices(p);
                }
                pubsubUp = true;
                prepare(commands);
                firstAttempt.countDown();
                return;
            } catch (RuntimeException e) {
                if (!told) {
                    LOG.log(Level.WARNING, "Redis at {0} is unreachable ({1}); new connections get ''unavailable''"
                            + " until it answers", config.engine().redisAddress(), e.toString());
                    told = true;
                }
                firstAttempt.countDown();
                sleep(1_000);
            }
        }
    }

    private final class ConnectionStates implements RedisConnectionStateListener {

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
            if (connection == commands) {
                prepare(commands);
                return;
            } else if (connection == pubsub) {
                pubsubUp = true;
                listenToNotices(pubsub);
                rooms.values().forEach(room -> subscriptions.execute(() -> subscribe(room)));
            } else {
                return; // a first connect: connect() takes it from there
            }
            changed();
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            if (connection == commands) {
                commandsUp = false;
            } else if (connection == pubsub) {
                pubsubUp = false;
            } else {
                return;
            }
            changed();
        }
    }

    /** One log line per change of state. */
    private synchronized void changed() {
        boolean now = commandsUp && pubsubUp;
        if (now == reachable || closed) {
            return;
        }
        reachable = now;
        if (now) {
            LOG.log(Level.INFO, "Redis at {0} is reachable: serving rooms from it", config.engine().redisAddress());
        } else {
            LOG.log(Level.WARNING, "Redis at {0} is unreachable: new connections and chat messages get ''unavailable''"
                    + " until it is back", config.engine().redisAddress());
        }
    }

    /** Every server hears every notice, and hands each to the connections it holds of that name. */
    private void listenToNotices(StatefulRedisPubSubConnection<String, String> p) {
        track(p.async().subscribe(keys.notices())).whenComplete((ok, error) -> {
            if (error != null) {
                hub.events().record(Level.WARNING, "not listening to notices of direct messages until Redis is back",
                        error.toString());
            }
        });
    }

    /** A subscriber task: subscribes the room's channel, then the room syncs from Redis. */
    private void subscribe(RedisRoom room) {
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        if (p == null) {
            room.subscribeFailed(new IllegalStateException("not connected to Redis"));
            return;
        }
        track(p.async().subscribe(keys.channel(room.name()))).whenComplete((ok, error) -> {
            if (error != null) {
                room.subscribeFailed(error);
            } else {
                room.subscribed();
            }
        });
    }

    /** Subscribes the room again a second from now, if it is still this server's copy. */
    void resubscribeLater(RedisRoom room) {
        hub.schedule(() -> {
            if (!closed && rooms.get(room.name()) == room) {
                subscriptions.execute(() -> subscribe(room));
            }
        }, Duration.ofSeconds(1));
    }

    /** A subscriber task: unsubscribes unless the room is back meanwhile (tasks run in order). */
    private void unsubscribe(String room) {
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        if (p != null && !rooms.containsKey(room)) {
            track(p.async().unsubscribe(keys.channel(room))).whenComplete((ok, error) -> {
                if (error != null) {
                    LOG.log(Level.DEBUG, "unsubscribing room {0} failed: {1}", Field.room(room), error.toString());
                }
            });
        }
    }

    private void received(String channel, String message) {
        if (channel.equals(keys.notices())) {
            String[] parts = message.split("\n", 3);
            if (parts.length == 3) {
                hub.notice(parts[0], parts[1], Frame.of(parts[2]));
            }
            return;
        }
        String name = keys.roomOf(channel);
        RedisRoom room = name == null ? null : rooms.get(name);
        if (room != null) {
            room.received(message);
        }
    }

    private void refreshPresence() {
        if (closed) {
            return;
        }
        if (reachable) {
            rooms.values().forEach(RedisRoom::refreshPresence);
        }
        hub.schedule(this::refreshPresence, presencePeriod());
    }

    /** Refreshes come three times per lifetime: a live server's names never expire between two. */
    private Duration presencePeriod() {
        return Duration.ofMillis(config.engine().presenceTtlSeconds() * 1_000L / 3);
    }

    @SuppressWarnings("unchecked")
    private static Snapshot snapshot(List<Object> reply) {
        List<Object> entries = (List<Object>) reply.get(3);
        List<Long> ids = new ArrayList<>(entries.size());
        List<Frame> frames = new ArrayList<>(entries.size());
        for (Object entry : entries) { // newest first: [ "<id>-0", [ "f", frame ] ]
            List<Object> pair = (List<Object>) entry;
            String streamId = (String) pair.get(0);
            List<Object> fields = (List<Object>) pair.get(1);
            ids.add(Long.parseLong(streamId.substring(0, streamId.indexOf('-'))));
            frames.add(Frame.of((String) fields.get(1)));
        }
        Collections.reverse(ids);
        Collections.reverse(frames);
        List<String> names = ((List<Object>) reply.get(4)).stream().map(String.class::cast).toList();
        return new Snapshot((String) reply.get(0), Long.parseLong((String) reply.get(1)),
                Long.parseLong((String) reply.get(2)), ids, frames, names);
    }

    /** A server starts serving as soon as Redis does, or, when Redis is down, starts anyway and says so. */
    private void awaitFirstAttempt() {
        try {
            if (firstAttempt.await(5, TimeUnit.SECONDS)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (!reachable && (commands != null && pubsub != null) && System.nanoTime() < deadline) {
                    sleep(5); // connected: the scripts are on their way
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

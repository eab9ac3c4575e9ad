package dev.jchat.engine.redis;

import dev.jchat.config.ChatConfig;
import dev.jchat.ChatHub;
import dev.jchat.connection.Threads;
import dev.jchat.room.Audience;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocal;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The link to Redis: Lettuce's client and its two connections, one for commands (pipelined:
 * nothing waits for a reply) and one for the subscriptions (and, with {@code CHAT_REDIS_WAIT_REPLICAS},
 * those of the held chat messages: {@link Held}), their reconnects, and the way of
 * every command ({@link #call}): timed, counted while in flight so that a close lets the last ones
 * reach Redis, and failed at once while the command connection is not up with the scripts loaded.
 * On every connect of the command connection the scripts are loaded and Redis' clock is read
 * ({@link RedisClock}, read again every second) before commands are taken again. Commands are never
 * sent again after a reconnect. The subscription connection can be replaced by a new one
 * ({@link #renewSubscriptions}) when it stopped delivering without Lettuce noticing (see
 * {@link SubscriptionProbe}). A subscription Redis ends by itself (a cluster's slot moved) is told
 * to the engine ({@link Listener#unsubscribed}), which subscribes it again. Thread-safe.
 */
final class RedisLink {

    private static final System.Logger LOG = System.getLogger(RedisLink.class.getName());
    /** How long a command may take before it fails. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(3);
    /** How often Redis' clock is read again, so that a step or drift of either clock is absorbed within it. */
    private static final Duration CLOCK_PERIOD = Duration.ofSeconds(1);

    /** What the engine does when the link changes; called on Lettuce's threads. */
    interface Listener {

        /** The command connection is up with the scripts loaded, after a first connect or a reconnect. */
        void commandsReady();

        /** The subscription connection is up, after a first connect or a reconnect: subscribe what should be. */
        void subscriptionsUp();

        /** A message on a subscribed channel. */
        void message(String channel, String message);

        /**
         * A channel is no longer subscribed: this server unsubscribed it, or Redis ended the
         * subscription itself (a cluster node does, with a {@code sunsubscribe} nobody asked for,
         * when the channel's hash slot moves to another node, and Lettuce does not subscribe it
         * again): subscribe again what should still be.
         */
        void unsubscribed(String channel);
    }

    private final ChatConfig config;
    private final ChatHub hub;
    private final RedisClock clock = new RedisClock();
    private final ClientResources resources;
    private final LettuceClient client;
    private final String subscriberName;
    private final AtomicBoolean renewing = new AtomicBoolean();
    private final Thread connector;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CountDownLatch firstAttempt = new CountDownLatch(1);
    private volatile Listener listener;
    private volatile StatefulConnection<String, String> commands;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile boolean commandsUp;
    private volatile boolean pubsubUp;
    /** The node connections of a cluster's subscription seen connected (weakly: replaced ones go). */
    private final Set<RedisChannelHandler<?, ?>> nodeSubscriptions = Collections.newSetFromMap(new WeakHashMap<>());
    private volatile boolean reachable;
    private volatile boolean closed;

    /** Sets up the client for {@code CHAT_REDIS_URL}; nothing connects before {@link #start}. */
    RedisLink(ChatConfig config, ChatHub hub, Threads threads) {
        this.config = config;
        this.hub = hub;
        this.resources = DefaultClientResources.builder()
                .threadFactoryProvider(pool -> threads.keep(new DefaultThreadFactory(pool, true))) // as Lettuce's own
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        this.subscriberName = new RedisKeys(config.engine().redisPrefix()).subscriber(Audience.newEpoch());
        this.client = LettuceClient.of(config.engine().redisUrl(), config.engine().redisCluster(), resources,
                COMMAND_TIMEOUT, subscriberName);
        client.addListener(new ConnectionStates());
        client.whenMasterLost(() -> {
            if (!closed && pubsub != null) {
                LOG.log(Level.INFO, "a Redis Cluster master failed over: subscribing every channel again, on the new masters");
                renewSubscriptions();
            }
        });
        this.connector = new Thread(this::connect, "chat-redis-connect");
        connector.setDaemon(true);
    }

    /**
     * Starts connecting in the background, and returns once Redis answered, or, when Redis is down,
     * after a few seconds (the server starts anyway and says so).
     */
    void start(Listener listener) {
        this.listener = listener;
        connector.start();
        hub.schedule(this::measureClock, CLOCK_PERIOD);
        awaitFirstAttempt();
        FastThreadLocal.removeAll(); // what setting up Netty left on the deploying thread (see close)
    }

    /** True while Redis answers on both connections. */
    boolean reachable() {
        return reachable;
    }

    /** True once the engine is closing: nothing is started again. */
    boolean closed() {
        return closed;
    }

    RedisClock clock() {
        return clock;
    }

    /** The client name of this server's subscription connection, unique to it (CLIENT LIST, CLIENT KILL). */
    String subscriberName() {
        return subscriberName;
    }

    /**
     * The channels of this server's probes ({@link SubscriptionProbe}): named as its subscription
     * connection, and in a cluster one in each master's slots ({@link LettuceClient#probeChannels}).
     */
    List<String> probeChannels() {
        return client.probeChannels(commands, subscriberName); // connected before the subscription ever is
    }

    /** Whether {@code channel} is one of this server's probe channels, now or before the slots moved. */
    boolean isProbeChannel(String channel) {
        return channel.equals(subscriberName) || channel.startsWith(subscriberName + LettuceClient.PROBE_TAG);
    }

    /** True while the subscription connection is up, as far as Lettuce can tell (it may still not deliver). */
    boolean subscriptionUp() {
        return pubsubUp;
    }

    /**
     * Replaces the subscription connection with a new one, for one that stays open but no longer
     * delivers (Lettuce reconnects only a connection it sees close). The old one is closed and
     * whatever it still brings is ignored; once the new one is up, {@link Listener#subscriptionsUp}
     * subscribes every channel again and each room catches up from Redis. Nothing happens while a
     * renewal is on its way; a renewal that fails leaves no connection, and the next one tries again.
     */
    void renewSubscriptions() {
        if (closed || pubsub == null || !renewing.compareAndSet(false, true)) {
            return;
        }
        StatefulRedisPubSubConnection<String, String> old = pubsub;
        pubsubUp = false; // not up until the new one is, whatever Lettuce says of the old one's close
        changed();
        old.closeAsync();
        client.connectPubSubAsync().whenComplete((p, error) -> {
            if (error != null) {
                renewing.set(false);
                hub.events().record(Level.WARNING, "a new Redis subscription connection failed; trying again",
                        error.toString());
            } else if (closed) {
                p.closeAsync();
            } else {
                adopt(p);
                renewing.set(false);
                changed();
            }
        });
    }

    /**
     * A command on the command connection, timed as {@code op} and counted while in flight; fails
     * at once, without throwing, while that connection is not up with the scripts loaded.
     */
    <T> CompletableFuture<T> call(String op, Function<RedisClusterAsyncCommands<String, String>, CompletionStage<T>> command) {
        return timed(op, c -> send(c, command));
    }

    /**
     * What {@code send} sends, given the command connection, timed as {@code op} and counted while
     * in flight; fails at once while that connection is not up with the scripts loaded.
     */
    private <T> CompletableFuture<T> timed(String op, Function<StatefulConnection<String, String>, CompletableFuture<T>> send) {
        StatefulConnection<String, String> c = commands;
        if (c == null || !commandsUp) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis is not connected"));
        }
        long start = System.nanoTime();
        return track(send.apply(c).whenComplete((result, error) -> hub.metrics().engineCall(op, start)));
    }

    /**
     * As {@link #call}, on master {@code master} ({@link #masters}) of the command connection: a
     * command about that node, such as {@code ROLE}.
     */
    <T> CompletableFuture<T> callOn(String master, String op,
                                    Function<RedisClusterAsyncCommands<String, String>, CompletionStage<T>> command) {
        return timed(op, c -> client.onMaster(c, master).thenCompose(redis -> send(redis, command, c)));
    }

    /** The masters now: one, {@code ""}, for one Redis or Sentinel's; a cluster's by host:port; none before a first connect. */
    List<String> masters() {
        StatefulConnection<String, String> c = commands;
        return c == null ? List.of() : client.masters(c);
    }

    /** The master ({@link #masters}) that owns {@code key}'s hash slot now; {@code "?"} before a first connect. */
    String masterOf(String key) {
        StatefulConnection<String, String> c = commands;
        return c == null ? "?" : client.masterOf(c, key);
    }

    /**
     * The way of a held chat message of {@code key}'s hash slot to its master, and of its
     * {@code WAIT} ({@link Replicated}); fails at once while the command connection is not up with
     * the scripts loaded.
     */
    CompletableFuture<Held> held(String key) {
        StatefulConnection<String, String> c = commands;
        if (c == null || !commandsUp || closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis is not connected"));
        }
        return client.held(key).thenApply(connection -> new Held(connection, client.drops(connection)));
    }

    /**
     * One held chat message's connection ({@link LettuceClient#held}), as it was when the message
     * set out: a {@code WAIT} proves the replicas of what this connection wrote before it only if
     * the connection never dropped in between (a new one has written nothing, and its {@code WAIT}
     * would answer at once), so {@link #await} answers 0 replicas when it did. Thread-safe.
     */
    final class Held {
        private final StatefulRedisConnection<String, String> connection;
        private final long drops;

        private Held(StatefulRedisConnection<String, String> connection, long drops) {
            this.connection = connection;
            this.drops = drops;
        }

        /** As {@link RedisLink#call}, on this connection. */
        <T> CompletableFuture<T> call(String op,
                                      Function<RedisClusterAsyncCommands<String, String>, CompletionStage<T>> command) {
            return timed(op, c -> send(connection.async(), command, c));
        }

        /**
         * {@code WAIT replicas millis} on this connection: how many replicas hold what it wrote, or
         * 0 when it dropped since the message set out (no proof).
         */
        CompletableFuture<Long> await(int replicas, long millis) {
            return call("wait", redis -> redis.waitForReplication(replicas, millis))
                    .thenApply(count -> connection.isOpen() && client.drops(connection) == drops ? count : 0L);
        }
    }

    /**
     * Subscribes a channel on the subscription connection, as a sharded channel ({@code SSUBSCRIBE}:
     * every channel of the engine is one, published to with {@code SPUBLISH}); in a cluster, on the
     * node of the channel's hash slot. Fails when that connection was never made.
     */
    CompletableFuture<Void> subscribe(String channel) {
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        if (p == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected to Redis"));
        }
        return track(p.async().ssubscribe(channel));
    }

    /**
     * Subscribes again a channel whose subscription Redis ended by itself (a cluster's slot moved),
     * each second until it takes or the link closes: while a slot is half moved (the old owner gave
     * it up, the new one not yet took it) each node sends the {@code SSUBSCRIBE} to the other, and
     * Lettuce gives up after a few redirects.
     */
    void resubscribe(String channel) {
        subscribe(channel).whenComplete((ok, error) -> {
            if (error != null && !closed) {
                LOG.log(Level.DEBUG, "subscribing a channel again failed, again in a second: {0}", error.toString());
                hub.schedule(() -> resubscribe(channel), Duration.ofSeconds(1));
            }
        });
    }

    /** Unsubscribes a channel; nothing to do when the subscription connection was never made. */
    CompletableFuture<Void> unsubscribe(String channel) {
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        return p == null ? CompletableFuture.completedFuture(null) : track(p.async().sunsubscribe(channel));
    }

    /** Stops connecting and lets the commands in flight reach Redis, for up to 2 s (the last leaves). */
    void drain() {
        closed = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            sleep(10);
        }
        connector.interrupt();
    }

    /** Closes both connections and Lettuce's threads; after {@link #drain}. */
    void close() {
        closed = true;
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        try {
            resources.shutdown(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS); // no Netty thread outlives an undeploy
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(Level.WARNING, "Lettuce''s threads did not stop within 3 s: {0}", e.toString());
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
        LOG.log(Level.INFO, "disconnected from Redis at {0}", config.engine().redisAddress());
    }

    private <T> CompletableFuture<T> send(StatefulConnection<String, String> c,
                                          Function<RedisClusterAsyncCommands<String, String>, CompletionStage<T>> command) {
        try {
            return send(client.async(c), command, c);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** {@code command} on {@code redis}; a NOSCRIPT has the command connection {@code c} load the scripts again. */
    private <T> CompletableFuture<T> send(RedisClusterAsyncCommands<String, String> redis,
                                          Function<RedisClusterAsyncCommands<String, String>, CompletionStage<T>> command,
                                          StatefulConnection<String, String> c) {
        try {
            return command.apply(redis).toCompletableFuture().whenComplete((result, error) -> {
                if (error != null && Script.unknown(error)) {
                    prepare(c); // Redis forgot the scripts (SCRIPT FLUSH): unavailable until they are back
                }
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private <T> CompletableFuture<T> track(CompletionStage<T> stage) {
        inFlight.incrementAndGet();
        return stage.toCompletableFuture().whenComplete((result, error) -> inFlight.decrementAndGet());
    }

    /**
     * After every connect of the command connection: loads the scripts and measures Redis' clock
     * (for the publish deadline, checked on Redis' clock; read again every second), then takes commands.
     */
    private void prepare(StatefulConnection<String, String> c) {
        commandsUp = false;
        changed();
        List<CompletableFuture<?>> steps = new ArrayList<>();
        // on every node of a cluster but a failed one: Lettuce's own SCRIPT LOAD goes to every node,
        // and a master killed (its replica promoted) would fail it until the master is back
        Script.ALL.forEach(script -> steps.add(track(client.onEveryNode(c, script::load))));
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
            clock.measured(time.join(), clock.now());
            commandsUp = c.isOpen();
            changed();
            if (commandsUp) {
                listener.commandsReady();
            }
        });
    }

    /** Reads Redis' clock every second, so that a step or drift of either clock lasts at most that long. */
    private void measureClock() {
        if (closed) {
            return;
        }
        if (commandsUp) {
            call("time", redis -> redis.time()).whenComplete((time, error) -> {
                if (error != null) {
                    LOG.log(Level.DEBUG, "Redis'' clock not read: {0}", error.toString()); // again in a second
                } else {
                    clock.measured(time, clock.now());
                }
            });
        }
        hub.schedule(this::measureClock, CLOCK_PERIOD);
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
                    adopt(client.connectPubSub());
                }
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

    /** Makes {@code p} the subscription connection, up, and subscribes what should be. */
    private void adopt(StatefulRedisPubSubConnection<String, String> p) {
        p.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void smessage(String channel, String message) {
                if (p == pubsub) { // not what a replaced connection still brings
                    listener.message(channel, message);
                }
            }

            @Override
            public void sunsubscribed(String channel, long count) {
                if (p == pubsub && !closed) {
                    listener.unsubscribed(channel);
                }
            }
        });
        pubsub = p;
        pubsubUp = true;
        listener.subscriptionsUp();
    }

    private final class ConnectionStates implements RedisConnectionStateListener {

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
            if (connection == commands) {
                prepare(commands);
                return;
            } else if (connection == pubsub) {
                pubsubUp = true;
                listener.subscriptionsUp();
            } else if (connection instanceof StatefulRedisPubSubConnection && config.engine().redisCluster()) {
                nodeSubscriptionConnected(connection);
                return;
            } else {
                return; // a first connect: connect() takes it from there
            }
            changed();
        }

        /**
         * One node's part of a cluster's subscription connected. The first time, it was made for
         * a first channel of the node's slots; again, it came back (the node closed it, or
         * restarted), and Lettuce subscribes its channels again in one {@code SSUBSCRIBE}, which
         * Redis refuses ({@code CROSSSLOT}) when they are of two slots: so every channel is
         * subscribed again one by one, and every room syncs what it missed, as after any reconnect.
         */
        private void nodeSubscriptionConnected(RedisChannelHandler<?, ?> connection) {
            boolean again;
            synchronized (nodeSubscriptions) {
                again = !nodeSubscriptions.add(connection);
            }
            if (again && !closed && pubsub != null && pubsubUp) {
                LOG.log(Level.DEBUG, "a Redis Cluster node''s subscription connection came back: subscribing every channel again");
                listener.subscriptionsUp();
            }
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

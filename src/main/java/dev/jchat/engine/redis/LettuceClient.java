package dev.jchat.engine.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Lettuce's client for {@code CHAT_REDIS_URL}, whichever kind of Redis it names: one Redis, or its
 * master through Sentinel ({@link RedisClient}, which asks the sentinels on every connect), or a
 * Redis Cluster ({@link RedisClusterClient}: commands go to the node of their key's hash slot, a
 * sharded subscription to the node of its channel's, and the slot map is refreshed when a
 * command is redirected or a node is lost, and every 30 s). The rest of the engine sees one
 * command connection, as {@link RedisClusterAsyncCommands} (what both kinds of connection answer),
 * and one subscription connection; and the connections of held chat messages ({@link #held}): one
 * to one Redis, one per master in a cluster. All are told to reject commands while disconnected and
 * never to send a command again after a reconnect. Thread-safe, as Lettuce's clients are.
 */
abstract sealed class LettuceClient {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    /** Each connection {@link #held} gave, to how many times it disconnected since. */
    private final Map<RedisChannelHandler<?, ?>, AtomicLong> drops = new ConcurrentHashMap<>();

    /** The client for {@code url}; the subscription connection carries {@code subscriberName} (CLIENT LIST shows whose it is). */
    static LettuceClient of(String url, boolean cluster, ClientResources resources, Duration timeout, String subscriberName) {
        return cluster ? new Cluster(url, resources, timeout, subscriberName)
                : new Single(url, resources, timeout, subscriberName);
    }

    /** Connects the command connection, blocking until it is up; throws when Redis cannot be reached. */
    abstract StatefulConnection<String, String> connect();

    /** The commands of a connection {@link #connect} made. */
    abstract RedisClusterAsyncCommands<String, String> async(StatefulConnection<String, String> connection);

    /** Connects a subscription connection, blocking until it is up. */
    abstract StatefulRedisPubSubConnection<String, String> connectPubSub();

    /** Connects a subscription connection in the background. */
    abstract CompletableFuture<StatefulRedisPubSubConnection<String, String>> connectPubSubAsync();

    abstract void addListener(RedisConnectionStateListener listener);

    /** What a probe channel in a cluster adds to the server's name: the hash tag that puts it in a node's slots. */
    static final String PROBE_TAG = ":{";

    /**
     * The channels on which a server whose subscription is named {@code base} probes it
     * ({@link SubscriptionProbe}): {@code base} itself on one Redis; in a cluster, where the
     * subscription is one connection a node, one channel in the slots of each master, by the slot
     * map of {@code connection} ({@link #connect}; a probe published to a node that gave its slot up
     * is answered {@code MOVED}, which has the map read again): {@code base:{k}}, the first {@code k}
     * whose slot the master serves.
     */
    abstract List<String> probeChannels(StatefulConnection<String, String> connection, String base);

    /**
     * Runs {@code action}, on Lettuce's thread, each time a master that served hash slots serves
     * none any more (a failover inside a cluster: it failed and its replica took its slots): the
     * subscriptions made on it stay there, and Lettuce does not move them. Nothing for one Redis
     * or Sentinel, where every connection drops and reconnects to the new master by itself.
     */
    void whenMasterLost(Runnable action) {
    }

    /**
     * The connection for the held chat messages of {@code key}'s hash slot and their {@code WAIT}
     * ({@link Replicated}), to the master that owns the slot now: apart from the command connection,
     * so that a {@code WAIT} holds no other command, and the very connection the message is written
     * on, since {@code WAIT} counts the replicas of what its own connection wrote on its own node.
     * One Redis (or Sentinel's master): one such connection, made on first use. A cluster: one per
     * master, of a cluster connection of their own, found by the slot map of the moment (a script
     * sent there after the slot moved is answered {@code MOVED}: the message fails).
     */
    abstract CompletableFuture<StatefulRedisConnection<String, String>> held(String key);

    /**
     * Which master owns {@code key}'s hash slot now, as {@link #masters} names it, by the slot map
     * of {@code connection} ({@link #connect}).
     */
    abstract String masterOf(StatefulConnection<String, String> connection, String key);

    /**
     * The masters now, by the slot map of {@code connection} ({@link #connect}): {@code ""} for one
     * Redis (or Sentinel's master, wherever it is), a cluster's as host:port.
     */
    abstract List<String> masters(StatefulConnection<String, String> connection);

    /**
     * {@code command} on every node that may run the engine's scripts, through {@code connection}
     * ({@link #connect}): for {@code SCRIPT LOAD}. One Redis: that connection. A cluster: every node,
     * masters and replicas (a replica may be promoted), but a node the cluster takes for failed,
     * which would fail the whole (a replica promoted in its place holds the scripts already).
     */
    abstract CompletableFuture<Void> onEveryNode(StatefulConnection<String, String> connection,
                                                 Function<RedisClusterAsyncCommands<String, String>, CompletionStage<?>> command);

    /** The command connection's commands on master {@code master} ({@link #masters}): for ROLE. */
    abstract CompletableFuture<RedisClusterAsyncCommands<String, String>> onMaster(
            StatefulConnection<String, String> connection, String master);

    /** How many times {@code connection} ({@link #held}) disconnected since it was made. */
    long drops(StatefulRedisConnection<String, String> connection) {
        AtomicLong count = drops.get(connection);
        return count == null ? -1 : count.get();
    }

    /** Counts the disconnects of {@code connection} from now on (a held message's proof spans none). */
    StatefulRedisConnection<String, String> counted(StatefulRedisConnection<String, String> connection) {
        drops.putIfAbsent((RedisChannelHandler<?, ?>) connection, new AtomicLong());
        return connection;
    }

    /** The listener that counts the held connections' disconnects: on the client that makes them. */
    RedisConnectionStateListener dropCounter() {
        return new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                AtomicLong count = drops.get(connection);
                if (count != null) {
                    count.incrementAndGet(); // on the channel's close, before any reconnect
                }
            }
        };
    }

    abstract void shutdown(Duration quietPeriod, Duration timeout);

    private static ClientOptions.Builder common(ClientOptions.Builder builder, Duration timeout) {
        return builder.autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .replayFilter(command -> true) // a command cut off by a disconnect is never sent again
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build());
    }

    /** One Redis, or the master Sentinel names. */
    private static final class Single extends LettuceClient {
        private final RedisClient client;
        private final RedisURI uri;
        private final RedisURI subscriberUri;
        private CompletableFuture<StatefulRedisConnection<String, String>> held; // guarded by this

        Single(String url, ClientResources resources, Duration timeout, String subscriberName) {
            this.uri = RedisURI.create(url);
            uri.setTimeout(timeout);
            this.client = RedisClient.create(resources, uri);
            client.addListener(dropCounter());
            this.subscriberUri = RedisURI.create(url);
            subscriberUri.setTimeout(timeout);
            subscriberUri.setClientName(subscriberName);
            client.setOptions(common(ClientOptions.builder(), timeout).build());
        }

        @Override
        StatefulConnection<String, String> connect() {
            return client.connect();
        }

        @Override
        @SuppressWarnings("unchecked")
        RedisClusterAsyncCommands<String, String> async(StatefulConnection<String, String> connection) {
            return ((StatefulRedisConnection<String, String>) connection).async();
        }

        @Override
        StatefulRedisPubSubConnection<String, String> connectPubSub() {
            return client.connectPubSub(StringCodec.UTF8, subscriberUri);
        }

        @Override
        synchronized CompletableFuture<StatefulRedisConnection<String, String>> held(String key) {
            if (held == null || held.isCompletedExceptionally()) { // never made, or not made: again
                held = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture().thenApply(this::counted);
            }
            return held;
        }

        @Override
        String masterOf(StatefulConnection<String, String> connection, String key) {
            return "";
        }

        @Override
        List<String> masters(StatefulConnection<String, String> connection) {
            return List.of("");
        }

        @Override
        CompletableFuture<RedisClusterAsyncCommands<String, String>> onMaster(StatefulConnection<String, String> connection,
                                                                             String master) {
            return CompletableFuture.completedFuture(async(connection));
        }

        @Override
        CompletableFuture<Void> onEveryNode(StatefulConnection<String, String> connection,
                                            Function<RedisClusterAsyncCommands<String, String>, CompletionStage<?>> command) {
            return command.apply(async(connection)).toCompletableFuture().thenApply(result -> null);
        }

        @Override
        CompletableFuture<StatefulRedisPubSubConnection<String, String>> connectPubSubAsync() {
            return client.connectPubSubAsync(StringCodec.UTF8, subscriberUri).toCompletableFuture();
        }

        @Override
        void addListener(RedisConnectionStateListener listener) {
            client.addListener(listener);
        }

        @Override
        void shutdown(Duration quietPeriod, Duration timeout) {
            client.shutdown(quietPeriod, timeout);
        }

        @Override
        List<String> probeChannels(StatefulConnection<String, String> connection, String base) {
            return List.of(base);
        }
    }

    /**
     * A Redis Cluster, by the nodes the URL names (any of them will do to find the others). Two
     * clients: the commands' rejects a command while its node is not connected, as one Redis's
     * does; the subscriptions' holds a subscription until its node is (a cluster connects to a
     * node when a channel of its slots is first subscribed, and a subscription is safe to send late).
     */
    private static final class Cluster extends LettuceClient {
        private final RedisClusterClient client;
        private final RedisClusterClient subscriber;
        private final ClientResources resources;
        private CompletableFuture<StatefulRedisClusterConnection<String, String>> held; // guarded by this

        Cluster(String url, ClientResources resources, Duration timeout, String subscriberName) {
            this.resources = resources;
            List<RedisURI> seeds = seeds(url, timeout, subscriberName);
            this.client = RedisClusterClient.create(resources, seeds);
            client.addListener(dropCounter());
            this.subscriber = RedisClusterClient.create(resources, seeds);
            client.setOptions(options(common(ClusterClientOptions.builder(), timeout)));
            subscriber.setOptions(options(common(ClusterClientOptions.builder(), timeout)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)));
        }

        private static ClusterClientOptions options(ClientOptions.Builder builder) {
            return ((ClusterClientOptions.Builder) builder)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enableAllAdaptiveRefreshTriggers() // MOVED, ASK, a node lost, reconnects
                            // once a second at most, not Lettuce's 30 s: a refresh that came before the
                            // replica's promotion must not keep the next one for half a minute
                            .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                            .enablePeriodicRefresh(Duration.ofSeconds(30))
                            .build())
                    .build();
        }

        /** {@code redis-cluster://[user:password@]h1:p1,h2:p2} as one {@code redis://} address a node. */
        private static List<RedisURI> seeds(String url, Duration timeout, String clientName) {
            URI uri = URI.create(url);
            String scheme = uri.getScheme().startsWith("rediss") ? "rediss://" : "redis://";
            String authority = uri.getRawAuthority();
            int at = authority.lastIndexOf('@');
            String credentials = at < 0 ? "" : authority.substring(0, at + 1);
            List<RedisURI> seeds = new ArrayList<>();
            for (String node : authority.substring(at + 1).split(",")) {
                RedisURI seed = RedisURI.create(scheme + credentials + node);
                seed.setTimeout(timeout);
                seed.setClientName(clientName); // the nodes' connections of this server, in CLIENT LIST
                seeds.add(seed);
            }
            return seeds;
        }

        @Override
        StatefulConnection<String, String> connect() {
            return client.connect();
        }

        @Override
        @SuppressWarnings("unchecked")
        RedisClusterAsyncCommands<String, String> async(StatefulConnection<String, String> connection) {
            return ((StatefulRedisClusterConnection<String, String>) connection).async();
        }

        @Override
        StatefulRedisPubSubConnection<String, String> connectPubSub() {
            return subscriber.connectPubSub();
        }

        /**
         * A node connection of a second cluster connection of the commands' client (so the same slot
         * map): by host and port, as Lettuce's own slot routing picks a master's connection, never by
         * node id, which would make another.
         */
        @Override
        CompletableFuture<StatefulRedisConnection<String, String>> held(String key) {
            CompletableFuture<StatefulRedisClusterConnection<String, String>> cluster;
            synchronized (this) {
                if (held == null || held.isCompletedExceptionally()) {
                    held = client.connectAsync(StringCodec.UTF8).toCompletableFuture();
                }
                cluster = held;
            }
            return cluster.thenCompose(c -> {
                RedisClusterNode master = c.getPartitions().getMasterBySlot(SlotHash.getSlot(key));
                if (master == null) {
                    return CompletableFuture.failedFuture(new IllegalStateException("no master owns the slot"));
                }
                return c.getConnectionAsync(master.getUri().getHost(), master.getUri().getPort());
            }).thenApply(this::counted);
        }

        @Override
        @SuppressWarnings("unchecked")
        String masterOf(StatefulConnection<String, String> connection, String key) {
            RedisClusterNode master = ((StatefulRedisClusterConnection<String, String>) connection).getPartitions()
                    .getMasterBySlot(SlotHash.getSlot(key)); // the connection's map: see slotMap
            return master == null ? "?" : name(master);
        }

        @Override
        List<String> masters(StatefulConnection<String, String> connection) {
            return serving(slotMap(connection)).stream().map(Cluster::name).toList();
        }

        // the connection's slot map, never the client's getPartitions(), which blocks to read one when it has none
        @SuppressWarnings("unchecked")
        private static Iterable<RedisClusterNode> slotMap(StatefulConnection<String, String> connection) {
            return ((StatefulRedisClusterConnection<String, String>) connection).getPartitions();
        }

        /** The masters among {@code nodes} that serve hash slots (a failed one's replica took its slots). */
        private static List<RedisClusterNode> serving(Iterable<RedisClusterNode> nodes) {
            List<RedisClusterNode> serving = new ArrayList<>();
            for (RedisClusterNode node : nodes) {
                if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
                    serving.add(node);
                }
            }
            return serving;
        }

        @Override
        @SuppressWarnings("unchecked")
        CompletableFuture<RedisClusterAsyncCommands<String, String>> onMaster(StatefulConnection<String, String> connection,
                                                                             String master) {
            int colon = master.lastIndexOf(':');
            return ((StatefulRedisClusterConnection<String, String>) connection)
                    .getConnectionAsync(master.substring(0, colon), Integer.parseInt(master.substring(colon + 1)))
                    .thenApply(StatefulRedisConnection::async);
        }

        @Override
        @SuppressWarnings("unchecked")
        CompletableFuture<Void> onEveryNode(StatefulConnection<String, String> connection,
                                            Function<RedisClusterAsyncCommands<String, String>, CompletionStage<?>> command) {
            StatefulRedisClusterConnection<String, String> cluster = (StatefulRedisClusterConnection<String, String>) connection;
            List<CompletableFuture<?>> each = new ArrayList<>();
            for (RedisClusterNode node : cluster.getPartitions()) {
                if (!node.is(RedisClusterNode.NodeFlag.FAIL) && !node.is(RedisClusterNode.NodeFlag.NOADDR)) {
                    each.add(cluster.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort())
                            .thenCompose(c -> command.apply(c.async())));
                }
            }
            return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
        }

        private static String name(RedisClusterNode node) {
            return node.getUri().getHost() + ":" + node.getUri().getPort();
        }

        /**
         * Both clients tell a change of their slot map on the one event bus; the subscriptions'
         * client reads its map again first, so that the new subscriptions go to the new masters.
         */
        @Override
        void whenMasterLost(Runnable action) {
            resources.eventBus().get().subscribe(event -> {
                if (event instanceof ClusterTopologyChangedEvent change && masterLost(change)) {
                    subscriber.refreshPartitionsAsync().whenComplete((ok, error) -> action.run());
                }
            });
        }

        /**
         * Whether a node that held slots as a master before the change holds none after it: its
         * replica took them. (A master only taken for failed still holds its slots: subscribing
         * again then would subscribe on it again.)
         */
        private static boolean masterLost(ClusterTopologyChangedEvent change) {
            Set<String> after = new HashSet<>();
            serving(change.after()).forEach(node -> after.add(node.getNodeId()));
            return serving(change.before()).stream().anyMatch(node -> !after.contains(node.getNodeId()));
        }

        @Override
        CompletableFuture<StatefulRedisPubSubConnection<String, String>> connectPubSubAsync() {
            return subscriber.connectPubSubAsync(StringCodec.UTF8)
                    .thenApply(c -> (StatefulRedisPubSubConnection<String, String>) c).toCompletableFuture();
        }

        @Override
        void addListener(RedisConnectionStateListener listener) {
            client.addListener(listener);
            subscriber.addListener(listener);
        }

        @Override
        void shutdown(Duration quietPeriod, Duration timeout) {
            subscriber.shutdown(quietPeriod, timeout);
            client.shutdown(quietPeriod, timeout);
        }

        @Override
        List<String> probeChannels(StatefulConnection<String, String> connection, String base) {
            List<String> channels = new ArrayList<>();
            for (RedisClusterNode node : serving(slotMap(connection))) {
                for (int k = 0; ; k++) { // a master serves about 1/n of the slots: a few tries
                    String channel = base + PROBE_TAG + k + "}";
                    if (node.hasSlot(SlotHash.getSlot(channel))) {
                        channels.add(channel);
                        break;
                    }
                }
            }
            return channels;
        }
    }
}

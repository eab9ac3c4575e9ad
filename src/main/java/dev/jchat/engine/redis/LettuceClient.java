package dev.jchat.engine.redis;

import io.lettuce.core.ClientOptions;
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
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Lettuce's client for {@code CHAT_REDIS_URL}, whichever kind of Redis it names: one Redis, or its
 * master through Sentinel ({@link RedisClient}, which asks the sentinels on every connect), or a
 * Redis Cluster ({@link RedisClusterClient}: commands go to the node of their key's hash slot, a
 * sharded subscription to the node of its channel's, and the slot map is refreshed when a
 * command is redirected or a node is lost, and every 30 s). The rest of the engine sees one
 * command connection, as {@link RedisClusterAsyncCommands} (what both kinds of connection answer),
 * and one subscription connection. Both are told to reject commands while disconnected and never
 * to send a command again after a reconnect. Thread-safe, as Lettuce's clients are.
 */
abstract sealed class LettuceClient {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

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
     * subscription is one connection a node, one channel in the slots of each master as the client
     * knows them now ({@code base:{k}}, the first {@code k} whose slot the master serves).
     */
    abstract List<String> probeChannels(String base);

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
        private final RedisURI subscriberUri;

        Single(String url, ClientResources resources, Duration timeout, String subscriberName) {
            RedisURI uri = RedisURI.create(url);
            uri.setTimeout(timeout);
            this.client = RedisClient.create(resources, uri);
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
        List<String> probeChannels(String base) {
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

        Cluster(String url, ClientResources resources, Duration timeout, String subscriberName) {
            List<RedisURI> seeds = seeds(url, timeout, subscriberName);
            this.client = RedisClusterClient.create(resources, seeds);
            this.subscriber = RedisClusterClient.create(resources, seeds);
            client.setOptions(options(common(ClusterClientOptions.builder(), timeout)));
            subscriber.setOptions(options(common(ClusterClientOptions.builder(), timeout)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)));
        }

        private static ClusterClientOptions options(ClientOptions.Builder builder) {
            return ((ClusterClientOptions.Builder) builder)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enableAllAdaptiveRefreshTriggers() // MOVED, ASK, a node lost, reconnects
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
        List<String> probeChannels(String base) {
            List<String> channels = new ArrayList<>();
            // the commands' slot map: a probe published to a node that gave its slot up is MOVED, and that reads it again
            for (RedisClusterNode node : client.getPartitions()) {
                if (!node.is(RedisClusterNode.NodeFlag.UPSTREAM) || node.getSlots().isEmpty()) {
                    continue;
                }
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

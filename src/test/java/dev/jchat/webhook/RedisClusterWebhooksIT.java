package dev.jchat.webhook;

/**
 * {@link RedisWebhooksIT} on a Redis Cluster of three masters ({@code redis-cluster://}): the
 * server delivering the webhooks killed with SIGKILL while the receiver is down loses no event.
 */
class RedisClusterWebhooksIT extends RedisWebhooksIT {

    @Override
    boolean cluster() {
        return true;
    }
}

package dev.jchat.engine.redis;

/**
 * The names of one chat's keys and channels in Redis, all under {@code CHAT_REDIS_PREFIX}. A
 * room's keys share the hash tag {@code {room}}, so that its scripts touch one slot.
 */
record RedisKeys(String prefix) {

    /** Hash: {@code epoch}, and {@code seq}, the newest id. */
    String meta(String room) {
        return prefix + ":{" + room + "}:meta";
    }

    /**
     * Stream: the order of the room's log, entry ids {@code <id>-0}; field {@code c}: a chat
     * message, {@code e <target>}: an edit, their frames in {@link #texts}; {@code f <frame>}: any
     * other entry, as sent (no message text).
     */
    String log(String room) {
        return prefix + ":{" + room + "}:log";
    }

    /**
     * Hash: entry id to the frame of each entry of the log that carries a message's text: a chat
     * message as it is now, an edit as sent. Out of the stream, so that a deleted text can go
     * for good (an entry removed from a stream leaves its bytes there).
     */
    String texts(String room) {
        return prefix + ":{" + room + "}:msgs";
    }

    /** Hash: a chat message's id to the ids of its edits, space-separated: what its deletion removes. */
    String edits(String room) {
        return prefix + ":{" + room + "}:edits";
    }

    /**
     * Hash: the room's mutes and bans ({@link SanctionsHash}), kept as long as the longest of them
     * holds, and at least as long as the room's log.
     */
    String sanctions(String room) {
        return prefix + ":{" + room + "}:sanctions";
    }

    /**
     * Hash: the room's chat messages numbered and stored but not published yet, waiting for the
     * replicas ({@code CHAT_REDIS_WAIT_REPLICAS}; see {@code release.lua}).
     */
    String held(String room) {
        return prefix + ":{" + room + "}:held";
    }

    /** Sorted set: {@code server|name} scored by when it expires. */
    String presence(String room) {
        return prefix + ":{" + room + "}:presence";
    }

    /** Hash: name to the number of servers it is on. */
    String names(String room) {
        return prefix + ":{" + room + "}:names";
    }

    /**
     * A claimed name's hold, under the name's skeleton: hash with {@code digest}, the SHA-256 of
     * its key, and {@code name}, the spelling it was claimed with.
     */
    String name(String skeleton) {
        return prefix + ":name:" + skeleton;
    }

    /**
     * Sorted set: the servers with a connection of the name's own, scored by when each entry
     * expires (ms, Redis' clock), unless its server renews it ({@code online.lua}, {@link RedisPeers}).
     */
    String online(String name) {
        return prefix + ":online:{" + name + "}";
    }

    /** Hash: {@code v}, the version of the name's online state as last told, and {@code on}, 1 or 0. */
    String onlineState(String name) {
        return prefix + ":online:{" + name + "}:state";
    }

    /**
     * Sorted set of an owner's rooms ({@link dev.jchat.room.Positions#owner}: a name, and the
     * digest of its key when held by key), scored by when the name was last active there (ms).
     */
    String mine(String owner) {
        return prefix + ":user:{" + owner + "}:rooms";
    }

    /** Hash of an owner's read positions: room to the id read up to. */
    String read(String owner) {
        return prefix + ":user:{" + owner + "}:read";
    }

    /**
     * Sorted set of every room with a name online (direct conversations left out), scored by minus
     * how many names: the directory's order. (Named anew: {@code :rooms} was a hash of the same.)
     */
    String directory() {
        return prefix + ":room-directory";
    }

    /**
     * Stream of the room's webhook events not yet delivered, in the room's slot so that
     * {@code publish.lua} and {@code release.lua} write each with its entry: {@code f <frame>}.
     * Read by the server holding {@link #webhookLease}; entries deleted once delivered or dropped.
     */
    String webhooks(String room) {
        return prefix + ":{" + room + "}:webhooks";
    }

    /**
     * The pattern of every room's {@link #webhooks} stream, for {@code SCAN MATCH} (the prefix's
     * glob characters escaped). No other key matches: the whole chat's keys do not start with {@code prefix:{}.
     */
    String everyRoomsWebhooks() {
        return prefix.replaceAll("([\\\\*?\\[\\]])", "\\\\$1") + ":{*}:webhooks";
    }

    /** How many sets {@link #webhookStreams} spreads the rooms over. */
    static final int WEBHOOK_STREAM_SETS = 16;

    /**
     * Set of {@link #webhooks} streams that may hold events, the {@code n}th of
     * {@link #WEBHOOK_STREAM_SETS}, each its own hash tag: each publishing server adds its room's
     * stream to the room's set after its script (a second command: what it misses, the holder's
     * sweep finds). Spread so that in a cluster no one key takes a command of every message.
     */
    String webhookStreams(int n) {
        return prefix + ":webhooks:streams:{" + n + "}";
    }

    /** The room of a {@link #webhooks(String)} stream. */
    String roomOfWebhooks(String stream) {
        return stream.substring(prefix.length() + 2, stream.length() - "}:webhooks".length());
    }

    /** The {@link #webhookStreams} set of a room's stream. */
    String webhookStreamsOf(String room) {
        return webhookStreams(Math.floorMod(room.hashCode(), WEBHOOK_STREAM_SETS));
    }

    /**
     * Stream of the whole chat's {@code online} and {@code offline} events not yet delivered:
     * {@code n online|offline u <name> t <ms>}. This and the other keys of the whole chat's names
     * share the hash tag {@code {whole}}, so that {@code presence.lua} and {@code offline.lua} touch one slot.
     */
    String nameEvents() {
        return prefix + ":webhooks:{whole}:events";
    }

    /**
     * Stream of the webhook events an earlier version wrote, all in one: read by the holder when it
     * takes the lease, as a room's stream, until it is empty (then it goes), so an upgrade loses none.
     */
    String earlierWebhooks() {
        return prefix + ":webhooks";
    }

    /** String: the id of the server delivering the webhooks, expiring unless it renews it. */
    String webhookLease() {
        return prefix + ":webhooks:lease";
    }

    /** Sorted set: {@code server|name} scored by when it expires, for the whole chat (as {@link #presence} for a room). */
    String wholePresence() {
        return prefix + ":webhooks:{whole}:presence";
    }

    /** Hash: name to the number of servers it is on, in any room. */
    String wholeNames() {
        return prefix + ":webhooks:{whole}:names";
    }

    /** Set: the names whose {@code online} went into {@link #nameEvents} and no {@code offline} since. */
    String announced() {
        return prefix + ":webhooks:{whole}:online";
    }

    /** Sorted set: names gone from every server, scored by when their {@code offline} is due (ms). */
    String offlineDue() {
        return prefix + ":webhooks:{whole}:offline-due";
    }

    /** Counter of the room's presence changes: the version of the latest ({@code presence.lua}). */
    String presenceVersion(String room) {
        return prefix + ":{" + room + "}:presence-version";
    }

    /** Channel of the room's messages, presence changes and typing ({@link ChannelMessage}). */
    String channel(String room) {
        return prefix + ":{" + room + "}";
    }

    /**
     * Channel every server listens to: notices of direct messages ({@link ChannelMessage.Notice}),
     * for the connections of their name wherever they are.
     */
    String notices() {
        return prefix + ":notices";
    }

    /**
     * One server's subscription connection: its client name in Redis ({@code CLIENT LIST}), and the
     * channel of the probes it publishes to itself ({@link SubscriptionProbe}).
     */
    String subscriber(String node) {
        return prefix + ":subscriber:" + node;
    }

    /** The room a channel belongs to, or null for someone else's channel. */
    String roomOf(String channel) {
        String start = prefix + ":{";
        if (!channel.startsWith(start) || !channel.endsWith("}")) {
            return null;
        }
        return channel.substring(start.length(), channel.length() - 1);
    }
}

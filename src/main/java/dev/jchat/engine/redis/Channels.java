package dev.jchat.engine.redis;

import dev.jchat.logging.Field;
import dev.jchat.ChatHub;
import dev.jchat.connection.Frame;
import dev.jchat.room.Audience;
import dev.jchat.room.Peers;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The pub/sub side of the engine: the channels this server listens to, one per room it has
 * someone in and the notices, subscribed and unsubscribed in order on one {@link Serial}; and the
 * way of every message heard ({@link ChannelMessage}): a room's to this server's copy of the room,
 * a notice to the hub, for the connections of its name here, the API's disconnect to
 * {@link Disconnects}. Thread-safe.
 */
final class Channels {

    private static final System.Logger LOG = System.getLogger(Channels.class.getName());

    private final ChatHub hub;
    private final RedisLink link;
    private final RedisKeys keys;
    private final Map<String, RedisRoom> rooms; // the registry's: read here, never changed
    private final Serial subscriptions;
    private final Disconnects disconnects;
    /** This server, in the {@link ChannelMessage.Tell}s it sends: it hears its own and skips them. */
    private final String origin = Audience.newEpoch();

    Channels(ChatHub hub, RedisLink link, RedisKeys keys, Map<String, RedisRoom> rooms, Executor pool,
            Disconnects disconnects) {
        this.hub = hub;
        this.disconnects = disconnects;
        this.link = link;
        this.keys = keys;
        this.rooms = rooms;
        this.subscriptions = new Serial(pool);
    }

    /** The subscription connection is up, first or again: listens to notices and every room's channel. */
    void connected() {
        listenToNotices();
        rooms.values().forEach(this::subscribe);
    }

    /** This server's name in what it tells on the notices channel. */
    String origin() {
        return origin;
    }

    /** Subscribes the room's channel; then the room syncs from Redis (or hears that it failed). */
    void subscribe(RedisRoom room) {
        subscriptions.execute(() -> link.subscribe(keys.channel(room.name())).whenComplete((ok, error) -> {
            if (error != null) {
                room.subscribeFailed(error);
            } else {
                room.subscribed();
            }
        }));
    }

    /** Subscribes the room again a second from now, if it is still this server's copy. */
    void resubscribeLater(RedisRoom room) {
        hub.schedule(() -> {
            if (!link.closed() && rooms.get(room.name()) == room) {
                subscribe(room);
            }
        }, Duration.ofSeconds(1));
    }

    /** Unsubscribes the room's channel, unless the room is back meanwhile (subscriptions run in order). */
    void unsubscribe(String room) {
        subscriptions.execute(() -> {
            if (!rooms.containsKey(room)) {
                link.unsubscribe(keys.channel(room)).whenComplete((ok, error) -> {
                    if (error != null) {
                        LOG.log(Level.DEBUG, "unsubscribing room {0} failed: {1}", Field.room(room), error.toString());
                    }
                });
            }
        });
    }

    /**
     * A channel no longer subscribed, on Lettuce's thread. This server ends a room's subscription
     * only once the room is gone from here ({@link #unsubscribe}); if it is here, Redis ended it
     * (in a cluster, the room's hash slot moved to another node), and the room subscribes again, on
     * the new node, then syncs: what was published meanwhile comes from the room's stream, in id
     * order. The notices channel is never unsubscribed by this server, so it is subscribed again.
     */
    void unsubscribed(String channel) {
        if (channel.equals(keys.notices())) {
            LOG.log(Level.INFO, "Redis ended the subscription to the notices (its hash slot moved): subscribing again");
            link.resubscribe(channel);
            return;
        }
        String name = keys.roomOf(channel);
        RedisRoom room = name == null ? null : rooms.get(name);
        if (room != null) {
            LOG.log(Level.DEBUG, "Redis ended the subscription of room {0} (its hash slot moved): subscribing again"
                    + " and catching up", Field.room(name));
            subscribe(room);
        }
    }

    /** A message heard on a channel, on Lettuce's thread: handed on, never handled here. */
    void received(String channel, String message) {
        if (channel.equals(keys.notices())) {
            ChannelMessage.Tell tell = ChannelMessage.Tell.parse(message);
            if (tell != null) {
                if (!tell.origin().equals(origin)) {
                    hub.tell(tell.user(), Frame.of(tell.frame()), null);
                }
                return;
            }
            ChannelMessage.Disconnect disconnect = ChannelMessage.Disconnect.parse(message);
            if (disconnect != null) {
                disconnects.heard(disconnect);
                return;
            }
            ChannelMessage.Closed closed = ChannelMessage.Closed.parse(message);
            if (closed != null) {
                disconnects.answered(closed);
                return;
            }
            ChannelMessage.Online online = ChannelMessage.Online.parse(message);
            if (online != null) {
                Peers peers = hub.peers(); // null only while the hub is being made
                if (peers != null) {
                    peers.changed(online.user(), new Peers.State(online.version(), online.online()));
                }
                return;
            }
            ChannelMessage.Notice notice = ChannelMessage.Notice.parse(message);
            if (notice != null) {
                hub.notice(notice.user(), notice.room(), Frame.of(notice.frame()));
            }
            return;
        }
        String name = keys.roomOf(channel);
        RedisRoom room = name == null ? null : rooms.get(name);
        if (room != null) {
            room.received(message);
        }
    }

    /** Every server hears every notice, and hands each to the connections it holds of that name. */
    private void listenToNotices() {
        link.subscribe(keys.notices()).whenComplete((ok, error) -> {
            if (error != null) {
                hub.events().record(Level.WARNING, "not listening to notices of direct messages until Redis is back",
                        error.toString());
            }
        });
    }
}

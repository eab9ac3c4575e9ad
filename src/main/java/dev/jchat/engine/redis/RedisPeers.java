package dev.jchat.engine.redis;

import dev.jchat.ChatHub;
import dev.jchat.room.Audience;
import dev.jchat.room.Peers;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Names online anywhere, with Redis (docs/REDIS.md, "Online anywhere"): each name has its own keys
 * ({@code {name}}: one hash slot), the servers with a connection of it, each entry expiring unless
 * renewed, and its state with a version ({@code online.lua}). A server tells the script of a
 * name's first connection here and its last; a call that changed the state publishes it on the
 * notices channel ({@link ChannelMessage.Online}), which every server hears and hands to its
 * {@link Peers}, where a later version wins. Every period it renews its names and reads again the
 * names watched here, which sweeps those of a server that died and makes up for a change whose
 * message was lost. Thread-safe: stateless but for its timer's chain.
 */
final class RedisPeers implements Peers.Engine {

    private final ChatHub hub;
    private final RedisLink link;
    private final RedisKeys keys;
    private final Duration period;
    private final Peers peers;
    private final String node = Audience.newEpoch(); // this server, in the names' entries

    RedisPeers(ChatHub hub, RedisLink link, RedisKeys keys, Duration period, Peers peers) {
        this.hub = hub;
        this.link = link;
        this.keys = keys;
        this.period = period;
        this.peers = peers;
    }

    /** Renews this server's names and reads the watched ones every period, until the link closes. */
    void start() {
        hub.schedule(this::refresh, period);
    }

    @Override
    public void here(String name) {
        run(name, "+");
    }

    @Override
    public void gone(String name) {
        run(name, "-");
    }

    @Override
    public CompletionStage<Peers.State> read(String name) {
        return run(name, "");
    }

    /** {@code online.lua}: a change it made is told to every server, this one included (at once). */
    private CompletionStage<Peers.State> run(String name, String op) {
        String[] nameKeys = {keys.online(name), keys.onlineState(name)};
        long lifetime = period.toMillis() * 3; // renewed every period: a live server's entry never expires
        CompletionStage<Peers.State> state = link.call("online", redis -> Script.ONLINE.<List<Object>>run(redis, nameKeys,
                node, op, Long.toString(lifetime), Long.toString(Duration.ofDays(1).toSeconds()))).thenApply(answer -> {
                    Peers.State now = new Peers.State(Long.parseLong(String.valueOf(answer.get(1))),
                            ((Long) answer.get(2)) == 1);
                    if ((Long) answer.get(0) == 1) {
                        peers.changed(name, now);
                        tell(name, now);
                    }
                    return now;
                });
        state.whenComplete((now, error) -> {
            if (error != null) {
                // renewed, or read again, at the next period
                hub.events().record(Level.WARNING, "whether a name is online anywhere not updated in Redis", error.toString());
            }
        });
        return state;
    }

    private void tell(String name, Peers.State state) {
        String message = new ChannelMessage.Online(name, state.version(), state.online()).text();
        link.call("online", redis -> redis.spublish(keys.notices(), message)).whenComplete((servers, error) -> {
            if (error != null) { // the other servers' next periodic read finds it
                hub.events().record(Level.WARNING, "a name's online state not told to the other servers", error.toString());
            }
        });
    }

    private void refresh() {
        if (link.closed()) {
            return;
        }
        if (link.reachable()) {
            peers.hereAgain();
            for (String name : peers.watched()) {
                read(name).thenAccept(state -> peers.changed(name, state));
            }
        }
        hub.schedule(this::refresh, period);
    }
}

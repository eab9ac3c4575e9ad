package dev.jchat;

import dev.jchat.config.ChatConfig;
import dev.jchat.connection.Closer;
import dev.jchat.connection.Connections;
import dev.jchat.connection.Frame;
import dev.jchat.connection.Member;
import dev.jchat.connection.Outbox;
import dev.jchat.connection.Threads;
import dev.jchat.hook.Publishing;
import dev.jchat.logging.Field;
import dev.jchat.logging.RepeatedEvents;
import dev.jchat.message.ErrorCode;
import dev.jchat.metrics.ChatMetrics;
import dev.jchat.room.Direct;
import dev.jchat.room.Peers;
import dev.jchat.room.Positions;
import dev.jchat.room.Room;
import dev.jchat.room.RoomRegistry;
import dev.jchat.security.RefusedException;
import dev.jchat.security.RoomGrant;
import dev.jchat.security.TokenVerifier;
import dev.jchat.webhook.OnlineNames;
import dev.jchat.webhook.Webhooks;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The shared state of one chat server: its configuration, its rooms and its open connections.
 * One is created per server (launcher or web application) and handed to every endpoint
 * instance. Thread-safe.
 */
public final class ChatHub {

    private static final System.Logger LOG = System.getLogger(ChatHub.class.getName());
    public static final CloseReason SHUTTING_DOWN =
            new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
    public static final CloseReason IDLE = new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "idle timeout");
    private static final Duration SUMMARY_PERIOD = Duration.ofSeconds(10);

    private final ChatConfig config;
    private final ChatMetrics metrics = new ChatMetrics(); // before the rooms, which count with it
    private final RoomRegistry rooms;
    private final Set<Member> members = ConcurrentHashMap.newKeySet();
    /** Version-3 connections of names of their own, by name: where {@link #tell} finds them without a pass over all. */
    private final ConcurrentHashMap<String, Set<Member>> ownNames = new ConcurrentHashMap<>();
    private final RepeatedEvents events = new RepeatedEvents(LOG);
    private final Closer closer;
    private final Threads threads = new Threads(); // the timer's and the closer's
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, threads.daemons("chat-timer-"));
    private final AtomicInteger admitted = new AtomicInteger();
    private final Connections connections;
    private final TokenVerifier tokens; // null when tokens are off
    private final Publishing publishing;
    private volatile boolean shuttingDown;
    private final Webhooks webhooks; // null: webhooks are off
    private final OnlineNames online; // null: webhooks are off
    private final Peers peers;

    /**
     * @param rooms makes the rooms, given this hub (its timer)
     * @param connections how to drop a connection whose peer stopped reading, where the container needs
     *              help for that
     */
    public ChatHub(ChatConfig config, Function<ChatHub, RoomRegistry> rooms, Connections connections) {
        this.config = config;
        this.webhooks = config.webhookUrl() == null ? null : new Webhooks(config, metrics, events, Webhooks.MAX_WAITING);
        this.rooms = rooms.apply(this);
        OnlineNames.Whereabouts whereabouts = webhooks == null ? null : this.rooms.webhooks(webhooks);
        this.online = whereabouts == null ? null : new OnlineNames(whereabouts);
        this.peers = new Peers(this.rooms::peers);
        this.connections = connections;
        this.tokens = tokens(config.security());
        this.publishing = Publishing.of(config, metrics, events, threads);
        this.closer = new Closer(events, connections, metrics, threads, timer,
                TimeUnit.SECONDS.toNanos(config.sendTimeoutSeconds()));
        metrics.gauges(members::size, this.rooms::size, this::namesOnline);
        // A cancelled timer (a token's expiry once its connection closed) must not stay queued until it is due.
        timer.setRemoveOnCancelPolicy(true);
        long sweep = Math.max(100, Math.min(1_000, config.sendTimeoutSeconds() * 250L));
        timer.scheduleWithFixedDelay(this::closeStale, sweep, sweep, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::closeIdle, 1, 1, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(() -> events.flush(SUMMARY_PERIOD.toSeconds() + " s"),
                SUMMARY_PERIOD.toMillis(), SUMMARY_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    public ChatConfig config() {
        return config;
    }

    public RoomRegistry rooms() {
        return rooms;
    }

    /**
     * The idle timeout the container's own sessions get, in ms (negative: none). The hub closes
     * idle connections itself, on every runtime, by one rule (see {@link #closeIdle}); a
     * container's timer, where one is kept, is a backstop that counts frames sent too.
     */
    public long containerIdleTimeoutMillis() {
        return connections.idleTimeoutMillis(TimeUnit.SECONDS.toMillis(config.idleTimeoutSeconds()));
    }

    /**
     * What checks the connections' tokens, one for the server (it holds the JWKS), or null when
     * neither {@code CHAT_JWT_SECRET} nor {@code CHAT_JWT_JWKS_URL} is set.
     */
    public TokenVerifier tokens() {
        return tokens;
    }

    private static TokenVerifier tokens(ChatConfig.Security security) {
        if (!security.tokensRequired()) {
            return null;
        }
        return new TokenVerifier(new TokenVerifier.Rules(security.jwtSecret(), security.jwtJwksUrl(),
                security.jwtIssuer(), security.jwtAudience(), Duration.ofSeconds(security.jwtLeewaySeconds()),
                security.jwtNameClaim(), security.jwtRolesClaim(), security.jwtRoomsClaim()));
    }

    /**
     * The one way chat messages, edits, deletions and reactions go to their room, from a connection
     * or the HTTP API: through the publish hook when one is set.
     */
    public Publishing publishing() {
        return publishing;
    }

    /** What this server counts, for {@code /metrics}. */
    public ChatMetrics metrics() {
        return metrics;
    }

    /**
     * Whether this server takes chat connections now, and if not, why not: shutting down, full,
     * its engine unreachable, or the identity provider's keys never fetched. Null when it is ready.
     */
    public String notReady() {
        if (shuttingDown) {
            return "shutting down";
        }
        if (admitted.get() >= config.security().maxConnections()) {
            return "full: " + config.security().maxConnections() + " connections";
        }
        if (!rooms.available()) {
            return "the engine is unreachable";
        }
        return tokens == null ? null : tokens.notReady();
    }

    /** Log lines for events that can come by the thousand. */
    public RepeatedEvents events() {
        return events;
    }

    /** A session opens: its container's connections see it first ({@link Connections#opened}). */
    public void opening(Session session) {
        connections.opened(session);
    }

    /**
     * Tracks a newly opened session and gives it its outbox-backed member, admitted unless the
     * server already holds {@code CHAT_MAX_CONNECTIONS}. While the server shuts down, the member
     * is closing from the start.
     */
    public Member open(Session session) {
        boolean admit = admitted.incrementAndGet() <= config.security().maxConnections();
        if (!admit) {
            admitted.decrementAndGet();
        }
        long timeout = TimeUnit.SECONDS.toNanos(config.sendTimeoutSeconds());
        Member member = new Member(session.getId(), admit, metrics, connections.readClock(session),
                m -> new Outbox(session, connections.writer(session), closer, timeout, config.outboxBytes(), metrics,
                        () -> closed(m)));
        connections.limitFrames(session, config.maxFrameBytes(), () -> frameTooBig(member));
        members.add(member);
        if (shuttingDown) {
            member.close(SHUTTING_DOWN);
        }
        return member;
    }

    /** The member sent a frame over {@code CHAT_MAX_FRAME_BYTES}: it is closed with 1009 at once. */
    public void frameTooBig(Member member) {
        member.outbox().closeNow(new CloseReason(CloseReason.CloseCodes.TOO_BIG,
                "frame larger than " + config.maxFrameBytes() + " bytes"), false);
    }

    /**
     * Puts the member in {@code room} ({@code askedAs}: as the client wrote it), its first room or
     * one it subscribes to (version 3), with its name settled: queued for it are the room's
     * welcome, its history and its live frames. A refusal of its first room refuses the connection;
     * of another room, it is told, and the connection stays in its other rooms. The one place that
     * applies a token's rooms claim: a room outside it is {@code forbidden}, a direct conversation
     * never is (its names are checked where its name is made canonical).
     *
     * @return the room it is in or joining, or null when it was refused or is closed
     */
    public Room enter(Member member, String room, String askedAs, Long since, String epoch) {
        if (!member.reserve(room, askedAs)) {
            if (!member.closing()) {
                member.sendError(ErrorCode.ALREADY_SUBSCRIBED, "you are in this room already", askedAs);
            }
            return null;
        }
        RoomGrant grant = member.grant();
        if (grant != null && !Direct.is(room) && !grant.allows(room)) {
            member.refuseJoin(room, ErrorCode.FORBIDDEN, "your token does not open this room");
            return null;
        }
        try {
            Room in = rooms.join(room, member, since, epoch);
            member.joined(in);
            String owner = Positions.owner(member);
            if (owner != null && member.room(room) != null) { // a refused join (a ban) is not a visit
                rooms.positions().visited(owner, room, System.currentTimeMillis()); // one of its rooms now
            }
            if (online != null && member.room(room) != null) {
                online.entered(member); // its name is online from its first room on
            }
            return in;
        } catch (RefusedException e) {
            LOG.log(Level.DEBUG, "session {0} not let into a room: {1}", Field.connection(member.id()), e.getMessage());
            member.refuseJoin(room, e.code(), e.getMessage());
            return null;
        }
    }

    /**
     * Forgets a member whose session closed, or that the server gave up on: it leaves its rooms,
     * its timers stop, and its name's hold runs from now. Idempotent.
     */
    public void closed(Member member) {
        List<Room> in = member.leaveForGood();
        if (members.remove(member) && member.admitted()) {
            admitted.decrementAndGet();
        }
        member.outbox().discard();
        member.cancelTimers();
        for (Room room : in) {
            publishing.leave(room, member, null); // after what it sent there, still with the hook
        }
        forgetName(member);
        if (online != null) {
            online.closed(member);
        }
        peers.closed(member);
        member.letGoOfName(rooms.names());
    }

    /**
     * Runs {@code task} once after {@code delay}, on the hub's timer thread; it must not block.
     * Returns null, and runs nothing, once the hub has shut down.
     */
    public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        try {
            return timer.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.DEBUG, "not scheduling a task: the hub has shut down");
            return null;
        }
    }

    /**
     * Queues {@code frame} for every connection here whose name is {@code user}, claimed or
     * proved (by key or token), welcomed and not in {@code room}: the notice of a message in a
     * direct conversation. A connection that only named itself (by its first message) holds
     * nothing, and reads no one's messages. One pass over the connections per direct message.
     */
    public void notice(String user, String room, Frame frame) {
        for (Member member : members) {
            if (member.proven() && user.equals(member.name()) && member.isWelcomed() && !member.subscribed(room)) {
                member.outbox().send(frame);
            }
        }
    }

    /**
     * A connection's name is settled: when it is its own (claimed, proved or a token's) it counts
     * as online anywhere ({@link Peers}), and a version-3 one is found by {@link #tell}, until it closes.
     */
    public void ownName(Member member) {
        peers.connected(member); // online anywhere from now on, whatever its version
        if (!member.v3() || !member.proven()) {
            return;
        }
        ownNames.compute(member.name(), (name, named) -> { // added within compute: forgetName may drop an emptied set
            Set<Member> set = named != null ? named : ConcurrentHashMap.newKeySet();
            set.add(member);
            return set;
        });
        if (!members.contains(member)) {
            forgetName(member); // it closed meanwhile: closed() may have looked before it was added
        }
    }

    /**
     * Queues {@code frame} for every welcomed version-3 connection here whose own name is
     * {@code user}, but {@code except} (null: none): a read position's echo, {@code seen}.
     */
    public void tell(String user, Frame frame, Member except) {
        Set<Member> named = ownNames.get(user);
        if (named == null) {
            return;
        }
        for (Member member : named) {
            if (member != except && member.isWelcomed() && member.proven()) {
                member.outbox().send(frame);
            }
        }
    }

    /**
     * Closes every connection here whose own name is {@code user}: {@code error} {@code kicked}
     * with {@code reason}, then close 1008 (the HTTP API's disconnect). Answers how many.
     */
    public int disconnect(String user, String reason) {
        int closed = 0;
        for (Member member : members) { // every version's connections: ownNames holds version 3's alone
            if (user.equals(member.name()) && !member.closing()) {
                member.refuse(ErrorCode.KICKED, reason);
                closed++;
            }
        }
        return closed;
    }

    private void forgetName(Member member) {
        String name = member.name();
        if (name != null) {
            ownNames.computeIfPresent(name, (key, named) -> {
                named.remove(member);
                return named.isEmpty() ? null : named;
            });
        }
    }

    /** A connection in a room named itself by its first message: its name may be online now (webhooks). */
    public void named(Member member) {
        if (online != null) {
            online.entered(member);
        }
    }

    /** The names with a connection here, for the webhooks' {@code online} and {@code offline}; null when webhooks are off. */
    public OnlineNames online() {
        return online;
    }

    /** Whether the other names of this server's direct conversations are online anywhere (version 3). */
    public Peers peers() {
        return peers;
    }

    /** Number of open connections. */
    public int connections() {
        return members.size();
    }

    /** Timers waiting to run, the hub's own periodic ones included: for tests that look for leaks. */
    public int pendingTimers() {
        return timer.getQueue().size();
    }

    /** Where connections the server gave up on are closed. */
    public Closer closer() {
        return closer;
    }

    /**
     * Closes every connection with 1001 once what is queued for it is sent, waits up to
     * {@code grace} for them to go, then closes the rest without waiting. Idempotent.
     */
    public void shutdown(Duration grace) {
        shuttingDown = true;
        int count = members.size();
        members.forEach(member -> member.close(SHUTTING_DOWN));
        long deadline = System.nanoTime() + grace.toNanos();
        while (!members.isEmpty() && System.nanoTime() < deadline) {
            sleep(20);
        }
        int stuck = members.size();
        members.forEach(member -> member.outbox().closeNow(SHUTTING_DOWN, true));
        if (count > 0) {
            LOG.log(Level.INFO, "closed {0} connection(s) for shutdown, {1} of them without draining their queue",
                    count, stuck);
        }
        closer.shutdown();
        publishing.close();
        if (webhooks != null) {
            webhooks.close(); // what waits in memory is lost (with Redis it waits there, unacknowledged)
        }
        rooms.close();
        if (tokens != null) {
            tokens.close();
        }
        timer.shutdownNow();
        if (!threads.join(Duration.ofSeconds(2))) {
            LOG.log(Level.WARNING, "the chat's timer or closing threads did not end within 2 s of the shutdown");
        }
        events.flush("shutdown");
        metrics.close();
    }

    /** Names with a connection here that joined a room. */
    private int namesOnline() {
        return (int) members.stream().filter(Member::inRoom).map(Member::name).distinct().count();
    }

    /**
     * Closes with 1001 "idle timeout" every connection from which nothing came for the idle
     * timeout, whatever was sent to it (PROTOCOL.md, Liveness): a peer that died while its TCP
     * connection still takes data, or whose container reports sends as done, is found all the
     * same. Frames the chat saw count, and every read the container tells of (WebSocket pings).
     */
    private void closeIdle() {
        long now = System.nanoTime();
        long limit = TimeUnit.SECONDS.toNanos(config.idleTimeoutSeconds());
        for (Member member : members) {
            if (now - member.lastHeard() > limit) {
                member.close(IDLE);
            }
        }
    }

    /**
     * Closes every connection whose oldest unsent frame is past the send timeout, and forgets
     * every one whose container says its session is closed: a connection whose peer went must
     * leave its room even where the container is late to call, or never calls, the endpoint's
     * close (it is idempotent, so the call that comes after changes nothing).
     */
    private void closeStale() {
        long now = System.nanoTime();
        for (Member member : members) {
            member.outbox().closeIfStale(now);
            if (member.outbox().sessionClosed()) {
                closed(member);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

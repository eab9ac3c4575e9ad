package dev.jchat.endpoint;

import dev.jchat.config.ChatConfig;
import dev.jchat.logging.Field;
import dev.jchat.logging.LogText;
import dev.jchat.message.AuthAnswer;
import dev.jchat.message.ClientFrame;
import dev.jchat.message.ErrorCode;
import dev.jchat.message.FrameDecoder;
import dev.jchat.message.FrameEncoder;
import dev.jchat.message.InvalidFrameException;
import dev.jchat.message.MyRooms;
import dev.jchat.message.Pong;
import dev.jchat.message.ReadPosition;
import dev.jchat.message.RoomList;
import dev.jchat.message.Seen;
import dev.jchat.message.Unsubscribed;
import dev.jchat.ChatHub;
import dev.jchat.room.Direct;
import dev.jchat.room.Positions;
import dev.jchat.connection.Frame;
import dev.jchat.connection.Member;
import dev.jchat.room.Room;
import dev.jchat.room.RoomLog;
import dev.jchat.room.Sanctions;
import dev.jchat.room.RoomRegistry;
import dev.jchat.security.InputRules;
import dev.jchat.security.OriginPolicy;
import dev.jchat.security.RateLimiter;
import dev.jchat.security.RefusedException;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code /chat} WebSocket endpoint: decodes, checks, and hands to the room. One instance per
 * connection; the container calls it for one event at a time, so its fields need no lock beyond
 * being visible to the close and error callbacks.
 */
@ServerEndpoint(value = "/chat", subprotocols = ChatConfigurator.PROTOCOL, configurator = ChatConfigurator.class)
public final class ChatEndpoint {

    private static final System.Logger LOG = System.getLogger(ChatEndpoint.class.getName());
    /** Rooms a directory lists at most. */
    private static final int DIRECTORY_SIZE = 100;
    private static final CloseReason BINARY = new CloseReason(CloseCodes.CANNOT_ACCEPT, "binary frames are not supported");
    /**
     * What the container buffers of a text message before it hands over a part: Tomcat allocates
     * its buffers per session, up front, from these sizes, so they are small and this endpoint puts
     * the parts together itself, up to {@code CHAT_MAX_FRAME_BYTES}. 1024 characters (2 KB of
     * Tomcat's heap per connection) hold the usual chat frame; the longest messages (2000
     * characters by default) come in two or three parts.
     */
    static final int TEXT_BUFFER_CHARS = 1_024;
    /**
     * How long a connection closed for flooding is still read, its frames ignored, between its
     * error and its close: a close while the client is still writing reaches it as a reset, and
     * a browser then reports 1006 and never sees the close frame that says why.
     */
    static final Duration FLOOD_LINGER = Duration.ofSeconds(2);
    private static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";
    /** The longest a container thread may wait to answer a close frame (Tomcat). */
    private static final Long BLOCKING_SEND_MILLIS = 250L;
    /** Binary frames are refused at their first part: a buffer for that part is all it takes. */
    static final int BINARY_BUFFER_BYTES = 1_024;
    /** The longest a frame waits for its connection's name to be settled (see {@link #awaitOpened}). */
    private static final Duration OPEN_WAIT = Duration.ofSeconds(15);

    private volatile ChatHub hub;
    private volatile Member member;
    private volatile boolean accepted; // its handshake passed the checks: its frames count
    /** Its name is settled and its first room asked for (or it is refused): frames wait for this. */
    private volatile CompletableFuture<Void> opened;
    private volatile Identity identity; // who the handshake (or the last auth frame) says this connection is
    private RateLimiter rate;   // touched only by this connection's message callbacks
    private volatile boolean flooded; // closed for flooding in a moment: what it sends now is ignored
    private StringBuilder parts; // a text message that came in parts, until its last; null between messages
    private long partBytes;      // its size so far, in UTF-8; -1 while the rest of a message too big is skipped

    /**
     * The one wiring the launcher and the web application share: binds the hub to the container
     * and deploys this endpoint on it.
     */
    public static void deploy(ServerContainer container, ChatHub hub) throws DeploymentException {
        ChatConfig config = hub.config();
        // Sessions are born with these limits. Tyrus must not change the idle timeout of a live
        // session: its timer from the old value (0, "now") then closes the session as idle.
        container.setDefaultMaxSessionIdleTimeout(idleTimeout(hub));
        container.setDefaultMaxTextMessageBufferSize(textBuffer(config));
        container.setDefaultMaxBinaryMessageBufferSize(BINARY_BUFFER_BYTES);
        Hubs.bind(container, hub);
        container.addEndpoint(ChatEndpoint.class);
    }

    @OnOpen
    public void onOpen(Session session, EndpointConfig endpointConfig) {
        try {
            hub = Hubs.of(session.getContainer());
        } catch (IllegalStateException e) {
            LOG.log(Level.ERROR, e.getMessage());
            closeQuietly(session, new CloseReason(CloseCodes.UNEXPECTED_CONDITION, "server misconfigured"));
            return;
        }
        ChatConfig config = hub.config();
        hub.opening(session);
        applyLimits(session, hub);
        member = hub.open(session);
        if (member.closing()) {
            return; // the server is shutting down
        }
        if (!member.admitted()) {
            hub.events().record(Level.WARNING, "refusing connections: the server is full",
                    config.security().maxConnections() + " connections open already");
            refuse(ErrorCode.SERVER_FULL, "the server is full; try again later");
            return;
        }
        Map<String, Object> handshake = endpointConfig.getUserProperties();
        String origin = (String) handshake.get(ChatConfigurator.ORIGIN);
        if (!new OriginPolicy(config.security().allowedOrigins()).allows(origin, (String) handshake.get(ChatConfigurator.HOST))) {
            hub.events().record(Level.INFO, "refusing connections from an origin that is not allowed",
                    "session " + session.getId() + " from " + LogText.printable(origin), Field.connection(session.getId()));
            refuse(ErrorCode.UNAUTHORIZED, "this origin may not connect");
            return;
        }
        try {
            ConnectionQuery query = ConnectionQuery.parse(session.getQueryString());
            Identity identity = Identity.of(config.security(), hub.tokens(), handshake, query, Instant.now());
            this.identity = identity;
            String name = identity.name();
            member.v3(query.v3()); // before the expiry is set: how it ends depends on the version
            expireWith(identity);
            identity.applyTo(member);
            if (config.security().ratePerSecond() > 0) {
                rate = new RateLimiter(config.security().ratePerSecond(), config.security().rateBurst(), System.nanoTime());
            }
            String first = query.room() != null && Direct.is(query.room()) ? Direct.canonical(query.room(), name) : query.room();
            member.firstRoom(first);
            accepted = true;
            opened = member.settleName(hub.rooms().names()).handle((refusal, error) -> {
                if (error != null) {
                    hub.events().record(Level.WARNING, "refusing connections: the engine did not answer a name's claim",
                            error.toString());
                    refuse(ErrorCode.UNAVAILABLE, RoomRegistry.UNAVAILABLE);
                } else if (refusal != null) {
                    refuse(refusal.code(), refusal.getMessage());
                } else {
                    member.moderator(identity.moderator(member, hub.config().security())); // before any welcome says so
                    hub.ownName(member); // its read positions' echo finds it from now on
                    if (first == null) {
                        member.welcomeAlone();
                    } else {
                        enter(first, query.room(), query.since(), query.epoch());
                    }
                }
                return (Void) null;
            }).whenComplete((done, error) -> {
                if (error != null) {
                    LOG.log(Level.ERROR, "opening session " + session.getId() + " failed", error);
                    member.close(new CloseReason(CloseCodes.UNEXPECTED_CONDITION, "server error"));
                }
            }).toCompletableFuture();
        } catch (RefusedException e) {
            LOG.log(Level.DEBUG, "refusing session {0}: {1}", Field.connection(session.getId()), e.getMessage());
            refuse(e.code(), e.getMessage());
        }
    }

    private void enter(String room, String askedAs, Long since, String epoch) {
        hub.enter(member, room, askedAs, since, epoch);
    }

    /**
     * A text message, or a part of one: the container hands over what its small buffer holds
     * ({@link #TEXT_BUFFER_CHARS}), or one fragment. The usual message comes whole, in one call.
     */
    @OnMessage
    public void onTextPart(String part, boolean last) {
        if (!accepted || member.closing() || flooded) {
            return; // refused at the handshake, or a close is decided: nothing it sends counts any more
        }
        if (parts == null && last) {
            onText(part);
            return;
        }
        if (partBytes < 0) {
            if (last) {
                partBytes = 0; // the end of the message too big: the next one starts clean
            }
            return;
        }
        if (parts == null) {
            parts = new StringBuilder(part.length() * 2);
        }
        parts.append(part);
        partBytes += Frame.utf8Length(part);
        if (partBytes > hub.config().maxFrameBytes()) {
            parts = null;
            partBytes = -1;
            hub.frameTooBig(member);
        } else if (last) {
            String whole = parts.toString();
            parts = null;
            partBytes = 0;
            onText(whole);
        }
    }

    private void onText(String text) {
        member.received(System.nanoTime()); // a whole message: traffic that keeps the connection from being idle
        awaitOpened();
        // Tyrus reads a whole frame up to its own buffer size, whatever the session's limit: so the
        // limit is checked here, on every runtime, before any parsing.
        int limit = hub.config().maxFrameBytes();
        if (text.length() > limit / 3 && Frame.utf8Length(text) > limit) {
            hub.frameTooBig(member);
            return;
        }
        ClientFrame frame;
        try {
            frame = FrameDecoder.fromJson(text, member.v3());
        } catch (InvalidFrameException e) {
            if (withinRate(null)) {
                sendError(e.code(), e.getMessage());
            }
            return;
        }
        if (frame instanceof ClientFrame.Ping) { // never rate-limited
            member.send(FrameEncoder.toJson(new Pong(Instant.now().truncatedTo(ChronoUnit.MILLIS))));
        } else if (frame instanceof ClientFrame.Typing typing) {
            Room room = find(typing);
            if (room != null && muted(room) == null) {
                room.typing(member); // thinned by the room, not rate-limited
            } else if (room != null) {
                if (withinRate(typing.room())) { // a muted name's typing is refused, counted so that it cannot flood errors
                    tellMuted(room, typing.room());
                }
            } else if (member.v3() && (typing.room() == null || withinRate(typing.room()))) {
                notSubscribed(typing.room()); // counted against the rate for a named room, or typing could flood errors
            }
        } else if (!withinRate(roomOf(frame))) {
            return;
        } else if (frame instanceof ClientFrame.Chat chat) {
            onChat(chat);
        } else if (frame instanceof ClientFrame.History history) {
            Room room = target(history);
            if (room != null) {
                room.history(member, history.before(), history.limit());
            }
        } else if (frame instanceof ClientFrame.Rooms) {
            onRooms();
        } else if (frame instanceof ClientFrame.Edit || frame instanceof ClientFrame.Delete
                || frame instanceof ClientFrame.React) {
            onAmend((ClientFrame.AboutRoom) frame);
        } else if (frame instanceof ClientFrame.Moderate moderate) {
            onModerate(moderate);
        } else if (frame instanceof ClientFrame.Subscribe subscribe) {
            onSubscribe(subscribe);
        } else if (frame instanceof ClientFrame.Unsubscribe unsubscribe) {
            onUnsubscribe(unsubscribe);
        } else if (frame instanceof ClientFrame.Read read) {
            onRead(read);
        } else if (frame instanceof ClientFrame.Mine) {
            onMine();
        } else if (frame instanceof ClientFrame.Auth auth) {
            onAuth(auth);
        }
    }

    /**
     * Ends the connection when its token runs out: version 3 with {@code token-expired} and 4001
     * (its client fetches a new token and resumes), older versions as before (unauthorized,
     * 1008). A token refreshed with {@code auth} replaces the timer.
     */
    private void expireWith(Identity identity) {
        if (!identity.tokenSubject()) {
            return;
        }
        Runnable end = member.v3()
                ? () -> refuse(ErrorCode.TOKEN_EXPIRED, "your token expired: fetch a new one, and send it before it"
                        + " expires with auth, or connect again with it")
                : () -> refuse(ErrorCode.UNAUTHORIZED, "your token expired");
        member.timer(hub.schedule(end, Duration.between(Instant.now(), identity.expires())));
    }

    /**
     * Version 3's {@code auth}: a new token for the same name replaces the connection's, with its
     * expiry and moderator role; any refusal leaves the old one in place, the connection open.
     */
    private void onAuth(ClientFrame.Auth auth) {
        Identity current = identity;
        if (current == null || !current.tokenSubject()) {
            sendError(ErrorCode.UNAUTHORIZED, "this connection has no token to replace: this server does not use tokens");
            return;
        }
        Identity next;
        try {
            next = Identity.ofToken(hub.tokens(), auth.token(), Instant.now());
        } catch (RefusedException e) {
            sendError(e.code(), e.getMessage() + "; the connection keeps its token");
            return;
        }
        if (!next.name().equals(current.name())) {
            sendError(ErrorCode.UNAUTHORIZED, "the new token is for another name; the connection keeps its token");
            return;
        }
        identity = next;
        expireWith(next);
        member.moderator(next.moderator(member, hub.config().security()));
        // the token's own exp: the connection lasts the leeway longer, which a client should not count on
        long exp = next.expires().minusSeconds(hub.config().security().jwtLeewaySeconds()).getEpochSecond();
        member.send(FrameEncoder.toJson(new AuthAnswer(exp)));
    }

    /**
     * Waits, on the container's thread, until the name is settled and the first room asked for:
     * with the in-memory engine that is done when {@code onOpen} returns; with Redis it is one
     * round trip, and only a client that writes before its welcome waits at all. Bounded by the
     * engine's own command timeout; this one is a backstop.
     */
    private void awaitOpened() {
        CompletableFuture<Void> o = opened;
        if (o == null || o.isDone()) {
            return;
        }
        try {
            o.get(OPEN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(Level.DEBUG, "session {0}: its opening did not end in time: {1}", Field.connection(member.id()), e.toString());
        }
    }

    /**
     * The room a frame acts on: the one it names (version 3), or the connection's first room.
     * Null, with {@code not-subscribed} told to a version-3 client, when the connection is not in it.
     */
    private Room target(ClientFrame.AboutRoom frame) {
        Room room = find(frame);
        if (room == null && member.v3()) {
            notSubscribed(frame.room());
        }
        return room;
    }

    /** The room a frame acts on, as {@link #target} finds it, or null; nothing is told. */
    private Room find(ClientFrame.AboutRoom frame) {
        String asked = member.v3() ? frame.room() : null; // older clients are in one room, whatever they write
        String name = asked == null ? member.firstRoom() : canonical(asked);
        return name == null ? null : member.room(name);
    }

    /** Tells a version-3 client that the room its frame named ({@code asked}, or none) is not one of its. */
    private void notSubscribed(String asked) {
        member.sendError(ErrorCode.NOT_SUBSCRIBED, asked == null
                ? "this frame names no room, and the connection is in no first room: add \"room\""
                : "you are not in this room: subscribe to it first", asked);
    }

    /** The name a room is known by here ({@code @A+B} for {@code @B}), or null when it cannot be one. */
    private String canonical(String asked) {
        try {
            return Direct.is(asked) ? Direct.canonical(asked, member.name()) : asked;
        } catch (RefusedException e) {
            return null;
        }
    }

    private void onSubscribe(ClientFrame.Subscribe subscribe) {
        String asked = subscribe.room();
        if (!member.v3()) {
            sendError(ErrorCode.INVALID_MESSAGE, "subscribe is protocol version 3: connect with v=3");
            return;
        }
        if (member.name() == null || !member.proven()) {
            // a name taken by a first message holds nothing: such a connection stays in its first room
            member.sendError(ErrorCode.INVALID_USER, "more rooms need a name of your own: connect with ?user=", asked);
            return;
        }
        String room;
        String epoch;
        try {
            if (asked.isEmpty()) {
                throw new RefusedException(ErrorCode.INVALID_MESSAGE, "room must be 1 to 64 of A-Z a-z 0-9 _ -");
            }
            room = InputRules.room(asked);
            room = Direct.is(room) ? Direct.canonical(room, member.name()) : room;
            epoch = InputRules.epoch(subscribe.epoch());
        } catch (RefusedException e) {
            // what the query calls invalid-query is, in a frame, a frame that is not valid
            ErrorCode code = e.code() == ErrorCode.INVALID_QUERY ? ErrorCode.INVALID_MESSAGE : e.code();
            member.sendError(code, e.getMessage(), asked);
            return;
        }
        if (member.subscribed(room)) {
            member.sendError(ErrorCode.ALREADY_SUBSCRIBED, "you are in this room already", asked);
        } else if (member.roomCount() >= hub.config().maxRoomsPerConnection()) {
            member.sendError(ErrorCode.TOO_MANY_ROOMS, "a connection may be in " + hub.config().maxRoomsPerConnection()
                    + " rooms at most: unsubscribe from one first", asked);
        } else {
            enter(room, asked, subscribe.since(), epoch);
        }
    }

    private void onUnsubscribe(ClientFrame.Unsubscribe unsubscribe) {
        if (!member.v3()) {
            sendError(ErrorCode.INVALID_MESSAGE, "unsubscribe is protocol version 3: connect with v=3");
            return;
        }
        String name = canonical(unsubscribe.room());
        Room room = name == null ? null : member.forget(name);
        String owner = Positions.owner(member);
        if (unsubscribe.forget() && name != null && owner != null) {
            hub.rooms().positions().forget(owner, name);
            if (room == null) { // off "my rooms" from any connection of the name, in the room or not
                member.send(FrameEncoder.toJson(new Unsubscribed(name)));
                return;
            }
        }
        if (room == null) {
            member.sendError(ErrorCode.NOT_SUBSCRIBED, "you are not in this room", unsubscribe.room());
            return;
        }
        if (!member.isWelcomed()) {
            // its only room left before its welcome: the connection is now in no room, and says so,
            // or everything for it would wait for a welcome that never comes
            member.welcomeAlone();
        }
        hub.publishing().leave(room, member, Frame.of(FrameEncoder.toJson(new Unsubscribed(name))));
    }

    /** A binary message, or its first part: refused whole, whatever its size. */
    @OnMessage
    public void onBinary(ByteBuffer data, boolean last, Session session) {
        if (member == null) {
            closeQuietly(session, BINARY);
        } else {
            member.close(BINARY);
        }
    }

    @OnClose
    public void onClose(Session session, CloseReason reason) {
        Member m = member;
        if (m != null) {
            hub.closed(m); // it leaves its room, even one it was still joining
        }
        LOG.log(Level.DEBUG, "session {0} closed: {1}", Field.connection(session.getId()), reason,
                Field.closeCode(reason.getCloseCode().getCode()));
    }

    @OnError
    public void onError(Session session, Throwable error) {
        if (error instanceof IOException || error.getClass().getSimpleName().equals("MessageTooBigException")) {
            // Peers vanish and oversize frames get 1009 all the time: the client's doing, not a server fault.
            // (Tyrus reports the latter with its own MessageTooBigException, a RuntimeException.)
            LOG.log(Level.DEBUG, "session {0}: {1}", Field.connection(session.getId()), error.toString());
        } else {
            LOG.log(Level.WARNING, "session " + session.getId() + " failed", error);
        }
    }

    /** The container's idle timeout in ms: the hub closes idle connections itself (see {@link ChatHub#containerIdleTimeoutMillis}). */
    private static long idleTimeout(ChatHub hub) {
        return hub.containerIdleTimeoutMillis();
    }

    /** The container's text buffer: the frame limit, up to {@link #TEXT_BUFFER_CHARS}. */
    private static int textBuffer(ChatConfig config) {
        return Math.min(config.maxFrameBytes(), TEXT_BUFFER_CHARS);
    }

    /**
     * The same buffers and timeout on every runtime, set only where the container did not already
     * apply the defaults {@link #deploy} gave it.
     */
    private static void applyLimits(Session session, ChatHub hub) {
        ChatConfig config = hub.config();
        if (session.getMaxTextMessageBufferSize() != textBuffer(config)) {
            session.setMaxTextMessageBufferSize(textBuffer(config));
        }
        if (session.getMaxBinaryMessageBufferSize() != BINARY_BUFFER_BYTES) {
            session.setMaxBinaryMessageBufferSize(BINARY_BUFFER_BYTES);
        }
        long idle = idleTimeout(hub);
        if (session.getMaxIdleTimeout() != idle) {
            session.setMaxIdleTimeout(idle);
        }
        // Tomcat answers a peer's close (1000) blocking, on the thread that read it, after the async
        // send in flight, for up to 20 s by default; and that send's completion needs one of those
        // threads. 2000 peers closing at once while the room sent to them held all 200 threads for
        // half a minute, and nobody could connect. Without the answer, the connection closes all the
        // same. Other containers ignore the property.
        session.getUserProperties().put(TOMCAT_BLOCKING_SEND_TIMEOUT, BLOCKING_SEND_MILLIS);
    }

    /**
     * Counts a frame against the rate; answers {@code rate-limited} (with the {@code room} the
     * frame named, for a version-3 client to match it), and closes on sustained abuse.
     */
    private boolean withinRate(String room) {
        if (rate == null || rate.tryAcquire(System.nanoTime())) {
            return true;
        }
        if (rate.abusive()) {
            flooded = true;
            member.sendError(ErrorCode.RATE_LIMITED, "too many messages for too long", room);
            // logged by the closer, summarised with the others: a close with 1008 rate-limited
            hub.schedule(() -> member.close(ErrorCode.RATE_LIMITED.closeReason()), FLOOD_LINGER);
        } else {
            member.sendError(ErrorCode.RATE_LIMITED, "too many messages; slow down", room);
        }
        return false;
    }

    private void onChat(ClientFrame.Chat chat) {
        Room room = target(chat);
        if (room == null) {
            return;
        }
        String text;
        String name = member.name();
        try {
            text = InputRules.message(chat.msg(), hub.config().maxMessageChars());
            if (name == null) {
                name = InputRules.name(chat.user()); // the tutorial clients name themselves this way
                room.name(member, name);
            }
        } catch (RefusedException e) {
            member.sendError(e.code(), e.getMessage(), chat.room());
            return;
        }
        if (tellMuted(room, chat.room())) {
            return;
        }
        hub.publishing().publish(room, member, name, text, chat.room());
    }

    /** An edit, deletion or reaction: checked here as text, decided by the room on the message as it is now. */
    private void onAmend(ClientFrame.AboutRoom frame) {
        Room room = target(frame);
        if (room == null) {
            return;
        }
        RoomLog.Amend amend;
        try {
            if (frame instanceof ClientFrame.Edit edit) {
                amend = new RoomLog.Edit(edit.id(), InputRules.message(edit.msg(), hub.config().maxMessageChars()));
            } else if (frame instanceof ClientFrame.React react) {
                amend = new RoomLog.React(react.id(), InputRules.emoji(react.emoji()), react.on());
            } else {
                amend = new RoomLog.Delete(((ClientFrame.Delete) frame).id());
            }
        } catch (RefusedException e) {
            member.sendError(e.code(), e.getMessage(), frame.room());
            return;
        }
        if (member.name() == null) {
            member.sendError(ErrorCode.INVALID_USER, "a connection without a name has no messages to change",
                    frame.room());
            return;
        }
        if (!(frame instanceof ClientFrame.Delete) && tellMuted(room, frame.room())) {
            return; // a muted name may still take its own messages back
        }
        hub.publishing().amend(room, member, amend, frame.room());
    }

    /** A moderator's mute, ban or kick of a name in a room: decided here whether it may, done by the room. */
    private void onModerate(ClientFrame.Moderate moderate) {
        Room room = target(moderate);
        if (room == null) {
            return;
        }
        if (!member.moderator()) {
            member.sendError(ErrorCode.FORBIDDEN, "only a moderator may mute, ban or kick", moderate.room());
            return;
        }
        String user;
        String reason = moderate.reason() == null || moderate.reason().isBlank() ? null : moderate.reason().strip();
        try {
            user = InputRules.name(moderate.user());
            if (reason != null && reason.codePointCount(0, reason.length()) > ClientFrame.Moderate.MAX_REASON) {
                throw new RefusedException(ErrorCode.INVALID_MESSAGE,
                        "a reason is at most " + ClientFrame.Moderate.MAX_REASON + " characters");
            }
        } catch (RefusedException e) {
            member.sendError(e.code(), e.getMessage(), moderate.room());
            return;
        }
        String action = moderate.action();
        Instant until = null;
        if (moderate.seconds() != null && moderate.seconds() == 0) {
            action = "un" + action; // 0 seconds lifts a mute or a ban
        } else if (moderate.seconds() != null) {
            until = Instant.now().truncatedTo(ChronoUnit.MILLIS).plusSeconds(moderate.seconds());
        }
        room.moderate(member, action, user, until, reason);
    }

    /** The member's mute in that room, or null. */
    private Sanctions.Sanction muted(Room room) {
        return member.name() == null ? null : room.muted(member.name());
    }

    /** Tells the member it is muted in the room, if it is; true when it was. */
    private boolean tellMuted(Room room, String asked) {
        Sanctions.Sanction mute = muted(room);
        if (mute != null) {
            member.sendError(ErrorCode.MUTED, "a moderator muted you in this room", asked, mute.until(), mute.reason());
        }
        return mute != null;
    }

    /**
     * A read position: kept for a name of its own (else ignored, without an error), never past the
     * room's newest id, only forward; when it moved, the name's other connections on every server
     * are told, and in a direct conversation the other name's connections see it.
     */
    private void onRead(ClientFrame.Read read) {
        Room room = target(read);
        String owner = Positions.owner(member);
        if (room == null || owner == null) {
            return;
        }
        long id = Math.min(read.id(), room.lastId());
        if (id <= 0) {
            return;
        }
        Member reader = member;
        String user = reader.name();
        String name = room.name();
        hub.rooms().positions().read(owner, name, id, System.currentTimeMillis()).whenComplete((moved, error) -> {
            if (error != null) {
                hub.events().record(Level.WARNING, "read positions not kept: the engine did not answer", error.toString());
                reader.sendError(ErrorCode.UNAVAILABLE, RoomRegistry.UNAVAILABLE, read.room());
            } else if (moved) {
                hub.rooms().tell(user, Frame.of(FrameEncoder.toJson(new ReadPosition(name, id))), reader);
                String other = Direct.is(name) ? Direct.other(name, user) : null;
                if (other != null) {
                    hub.rooms().tell(other, Frame.of(FrameEncoder.toJson(new Seen(name, user, id))), null);
                }
            }
        });
    }

    /** "My rooms": none for a connection without a name of its own. */
    private void onMine() {
        Member asking = member;
        String owner = Positions.owner(asking);
        if (owner == null) {
            asking.send(FrameEncoder.myRooms(new MyRooms(List.of())));
            return;
        }
        hub.rooms().mine(owner, asking.name()).whenComplete((rooms, error) -> {
            if (error != null) {
                hub.events().record(Level.WARNING, "my rooms not answered: the engine did not answer", error.toString());
                asking.sendError(ErrorCode.UNAVAILABLE, RoomRegistry.UNAVAILABLE);
            } else {
                asking.send(FrameEncoder.myRooms(new MyRooms(rooms)));
            }
        });
    }

    private void onRooms() {
        Member asking = member;
        hub.rooms().directory(DIRECTORY_SIZE).whenComplete((rooms, error) -> {
            if (error != null) {
                asking.sendError(ErrorCode.UNAVAILABLE, RoomRegistry.UNAVAILABLE);
            } else {
                asking.send(FrameEncoder.toJson(new RoomList(rooms)));
            }
        });
    }

    /** The room a version-3 frame names, as the client wrote it, or null. */
    private String roomOf(ClientFrame frame) {
        if (!member.v3()) {
            return null;
        }
        if (frame instanceof ClientFrame.AboutRoom about) {
            return about.room();
        }
        if (frame instanceof ClientFrame.Subscribe subscribe) {
            return subscribe.room();
        }
        return frame instanceof ClientFrame.Unsubscribe unsubscribe ? unsubscribe.room() : null;
    }

    private void sendError(ErrorCode code, String message) {
        member.sendError(code, message);
    }

    private void refuse(ErrorCode code, String message) {
        member.refuse(code, message);
    }

    private static void closeQuietly(Session session, CloseReason reason) {
        try {
            session.close(reason);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing session {0} failed: {1}", Field.connection(session.getId()), e.toString());
        }
    }
}

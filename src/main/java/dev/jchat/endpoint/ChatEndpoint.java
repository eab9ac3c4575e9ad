package dev.jchat.endpoint;

import dev.jchat.config.ChatConfig;
import dev.jchat.logging.Field;
import dev.jchat.logging.LogText;
import dev.jchat.message.ClientFrame;
import dev.jchat.message.ErrorCode;
import dev.jchat.message.FrameDecoder;
import dev.jchat.message.FrameEncoder;
import dev.jchat.message.InvalidFrameException;
import dev.jchat.message.Pong;
import dev.jchat.message.RoomList;
import dev.jchat.room.ChatHub;
import dev.jchat.room.Direct;
import dev.jchat.room.Frame;
import dev.jchat.room.Member;
import dev.jchat.room.Room;
import dev.jchat.room.RoomRegistry;
import dev.jchat.security.InputRules;
import dev.jchat.security.OriginPolicy;
import dev.jchat.security.RateLimiter;
import dev.jchat.security.RefusedException;
import dev.jchat.security.TokenVerifier;
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
import java.util.Map;

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

    private volatile ChatHub hub;
    private volatile Member member;
    private volatile Room room; // null while the connection is refused
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
            String name = query.user();
            if (config.security().jwtSecret() != null) {
                String token = query.token() != null ? query.token() : (String) handshake.get(ChatConfigurator.PROTOCOL_TOKEN);
                TokenVerifier.Identity identity = new TokenVerifier(config.security().jwtSecret()).verify(token, Instant.now());
                name = identity.name(); // the token's sub, whatever ?user= says
                member.timer(hub.schedule(() -> refuse(ErrorCode.UNAUTHORIZED, "your token expired"),
                        Duration.between(Instant.now(), identity.expires())));
            }
            if (name != null) {
                member.name(name);
                if (config.security().jwtSecret() == null) {
                    String key = query.key() != null ? query.key() : (String) handshake.get(ChatConfigurator.PROTOCOL_KEY);
                    member.claims(key); // the engine claims the name, or checks the key, as it joins
                } else {
                    member.proven(null); // the token's subject
                }
            }
            if (config.security().ratePerSecond() > 0) {
                rate = new RateLimiter(config.security().ratePerSecond(), config.security().rateBurst(), System.nanoTime());
            }
            String asked = query.room();
            room = hub.rooms().join(Direct.is(asked) ? Direct.canonical(asked, name) : asked, member,
                    query.since(), query.epoch());
        } catch (RefusedException e) {
            LOG.log(Level.DEBUG, "refusing session {0}: {1}", Field.connection(session.getId()), e.getMessage());
            refuse(e.code(), e.getMessage());
        }
    }

    /**
     * A text message, or a part of one: the container hands over what its small buffer holds
     * ({@link #TEXT_BUFFER_CHARS}), or one fragment. The usual message comes whole, in one call.
     */
    @OnMessage
    public void onTextPart(String part, boolean last) {
        if (room == null || member.closing() || flooded) {
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
        // Tyrus reads a whole frame up to its own buffer size, whatever the session's limit: so the
        // limit is checked here, on every runtime, before any parsing.
        int limit = hub.config().maxFrameBytes();
        if (text.length() > limit / 3 && Frame.utf8Length(text) > limit) {
            hub.frameTooBig(member);
            return;
        }
        ClientFrame frame;
        try {
            frame = FrameDecoder.fromJson(text);
        } catch (InvalidFrameException e) {
            if (withinRate()) {
                sendError(e.code(), e.getMessage());
            }
            return;
        }
        if (frame instanceof ClientFrame.Ping) { // never rate-limited
            member.send(FrameEncoder.toJson(new Pong(Instant.now().truncatedTo(ChronoUnit.MILLIS))));
        } else if (frame instanceof ClientFrame.Typing) {
            room.typing(member); // thinned by the room, not rate-limited
        } else if (!withinRate()) {
            return;
        } else if (frame instanceof ClientFrame.Chat chat) {
            onChat(chat);
        } else if (frame instanceof ClientFrame.History history) {
            room.history(member, history.before(), history.limit());
        } else if (frame instanceof ClientFrame.Rooms) {
            onRooms();
        }
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

    /** Counts a frame against the rate; answers {@code rate-limited}, and closes on sustained abuse. */
    private boolean withinRate() {
        if (rate == null || rate.tryAcquire(System.nanoTime())) {
            return true;
        }
        if (rate.abusive()) {
            flooded = true;
            sendError(ErrorCode.RATE_LIMITED, "too many messages for too long");
            // logged by the closer, summarised with the others: a close with 1008 rate-limited
            hub.schedule(() -> member.close(ErrorCode.RATE_LIMITED.closeReason()), FLOOD_LINGER);
        } else {
            sendError(ErrorCode.RATE_LIMITED, "too many messages; slow down");
        }
        return false;
    }

    private void onChat(ClientFrame.Chat chat) {
        String text;
        String name = member.name();
        try {
            text = InputRules.message(chat.msg(), hub.config().maxMessageChars());
            if (name == null) {
                name = InputRules.name(chat.user()); // the tutorial clients name themselves this way
                room.name(member, name);
            }
        } catch (RefusedException e) {
            sendError(e.code(), e.getMessage());
            return;
        }
        room.publish(member, text);
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

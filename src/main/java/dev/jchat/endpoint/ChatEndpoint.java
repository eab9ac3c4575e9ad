package dev.jchat.endpoint;

import dev.jchat.ChatConfig;
import dev.jchat.message.ClientFrame;
import dev.jchat.message.ErrorCode;
import dev.jchat.message.ErrorFrame;
import dev.jchat.message.FrameDecoder;
import dev.jchat.message.FrameEncoder;
import dev.jchat.message.InvalidFrameException;
import dev.jchat.message.Pong;
import dev.jchat.room.ChatHub;
import dev.jchat.room.Member;
import dev.jchat.room.Room;
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
import java.util.concurrent.ScheduledFuture;

/**
 * The {@code /chat} WebSocket endpoint: decodes, checks, and hands to the room. One instance per
 * connection; the container calls it for one event at a time, so its fields need no lock beyond
 * being visible to the close and error callbacks.
 */
@ServerEndpoint(value = "/chat", subprotocols = ChatConfigurator.PROTOCOL, configurator = ChatConfigurator.class)
public final class ChatEndpoint {

    private static final System.Logger LOG = System.getLogger(ChatEndpoint.class.getName());
    private static final CloseReason TOKEN_EXPIRED = new CloseReason(CloseCodes.VIOLATED_POLICY, "token expired");
    private static final CloseReason RATE_ABUSE = new CloseReason(CloseCodes.VIOLATED_POLICY, "rate-limited");

    private volatile ChatHub hub;
    private volatile Member member;
    private volatile Room room; // null while the connection is refused
    private volatile ScheduledFuture<?> expiry;
    private RateLimiter rate;   // touched only by this connection's message callbacks

    /**
     * The one wiring the launcher and the web application share: binds the hub to the container
     * and deploys this endpoint on it.
     */
    public static void deploy(ServerContainer container, ChatHub hub) throws DeploymentException {
        ChatConfig config = hub.config();
        // Sessions are born with these limits. Tyrus must not change the idle timeout of a live
        // session: its timer from the old value (0, "now") then closes the session as idle.
        container.setDefaultMaxSessionIdleTimeout(config.idleTimeoutSeconds() * 1000L);
        container.setDefaultMaxTextMessageBufferSize(config.maxFrameBytes());
        container.setDefaultMaxBinaryMessageBufferSize(config.maxFrameBytes());
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
        applyLimits(session, config);
        member = hub.open(session);

        if (!member.admitted()) {
            LOG.log(Level.WARNING, "refusing session {0}: {1} connections open already",
                    session.getId(), config.security().maxConnections());
            refuse(ErrorCode.SERVER_FULL, "the server is full; try again later",
                    new CloseReason(CloseCodes.TRY_AGAIN_LATER, "server-full"));
            return;
        }
        Map<String, Object> handshake = endpointConfig.getUserProperties();
        String origin = (String) handshake.get(ChatConfigurator.ORIGIN);
        if (!new OriginPolicy(config.security().allowedOrigins()).allows(origin, (String) handshake.get(ChatConfigurator.HOST))) {
            LOG.log(Level.INFO, "refusing session {0} from origin {1}", session.getId(), printable(origin));
            refuse(ErrorCode.UNAUTHORIZED, "this origin may not connect", policy(ErrorCode.UNAUTHORIZED));
            return;
        }
        try {
            ConnectionQuery query = ConnectionQuery.parse(session.getRequestParameterMap());
            String name = query.user();
            if (config.security().jwtSecret() != null) {
                String token = query.token() != null ? query.token() : (String) handshake.get(ChatConfigurator.PROTOCOL_TOKEN);
                TokenVerifier.Identity identity = new TokenVerifier(config.security().jwtSecret()).verify(token, Instant.now());
                name = identity.name(); // the token's sub, whatever ?user= says
                expiry = hub.schedule(() -> member.close(TOKEN_EXPIRED), Duration.between(Instant.now(), identity.expires()));
            }
            if (name != null) {
                member.name(name);
            }
            if (config.security().ratePerSecond() > 0) {
                rate = new RateLimiter(config.security().ratePerSecond(), config.security().rateBurst(), System.nanoTime());
            }
            room = hub.rooms().join(query.room(), member, query.since(), query.epoch());
        } catch (RefusedException e) {
            LOG.log(Level.DEBUG, "refusing session {0}: {1}", session.getId(), e.getMessage());
            refuse(e.code(), e.getMessage(), policy(e.code()));
        }
    }

    @OnMessage
    public void onText(String text) {
        if (room == null) {
            return; // refused at the handshake and closing
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
        if (frame instanceof ClientFrame.Chat chat) {
            if (withinRate()) {
                onChat(chat);
            }
        } else {
            member.send(FrameEncoder.toJson(new Pong(Instant.now().truncatedTo(ChronoUnit.MILLIS)))); // never rate-limited
        }
    }

    @OnMessage
    public void onBinary(ByteBuffer data, Session session) {
        CloseReason reason = new CloseReason(CloseCodes.CANNOT_ACCEPT, "binary frames are not supported");
        if (member == null) {
            closeQuietly(session, reason);
        } else {
            member.close(reason);
        }
    }

    @OnClose
    public void onClose(Session session, CloseReason reason) {
        ScheduledFuture<?> timer = expiry;
        if (timer != null) {
            timer.cancel(false);
        }
        Member m = member;
        if (m == null) {
            return;
        }
        hub.closed(m);
        if (room != null) {
            room.leave(m);
        }
        LOG.log(Level.DEBUG, "session {0} closed: {1}", session.getId(), reason);
    }

    @OnError
    public void onError(Session session, Throwable error) {
        if (error instanceof IOException || error.getClass().getSimpleName().equals("MessageTooBigException")) {
            // Peers vanish and oversize frames get 1009 all the time: the client's doing, not a server fault.
            // (Tyrus reports the latter with its own MessageTooBigException, a RuntimeException.)
            LOG.log(Level.DEBUG, "session {0}: {1}", session.getId(), error.toString());
        } else {
            LOG.log(Level.WARNING, "session " + session.getId() + " failed", error);
        }
    }

    /**
     * The same limits on every runtime (Tomcat's default text buffer is 8 KiB, Tyrus' 4 MiB), set
     * only where the container did not already apply the defaults {@link #deploy} gave it.
     */
    private static void applyLimits(Session session, ChatConfig config) {
        if (session.getMaxTextMessageBufferSize() != config.maxFrameBytes()) {
            session.setMaxTextMessageBufferSize(config.maxFrameBytes());
        }
        if (session.getMaxBinaryMessageBufferSize() != config.maxFrameBytes()) {
            session.setMaxBinaryMessageBufferSize(config.maxFrameBytes());
        }
        long idle = config.idleTimeoutSeconds() * 1000L;
        if (session.getMaxIdleTimeout() != idle) {
            session.setMaxIdleTimeout(idle);
        }
    }

    /** Counts a frame against the rate; answers {@code rate-limited}, and closes on sustained abuse. */
    private boolean withinRate() {
        if (rate == null || rate.tryAcquire(System.nanoTime())) {
            return true;
        }
        sendError(ErrorCode.RATE_LIMITED, "too many messages; slow down");
        if (rate.abusive()) {
            LOG.log(Level.INFO, "closing session {0}: sustained rate abuse", member.id());
            member.close(RATE_ABUSE);
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

    private void sendError(ErrorCode code, String message) {
        member.send(FrameEncoder.toJson(ErrorFrame.of(code, message)));
    }

    /** One error frame, then the close, and nothing of the room in between. */
    private void refuse(ErrorCode code, String message, CloseReason reason) {
        sendError(code, message);
        member.close(reason);
    }

    private static CloseReason policy(ErrorCode code) {
        return new CloseReason(CloseCodes.VIOLATED_POLICY, code.wire());
    }

    private static void closeQuietly(Session session, CloseReason reason) {
        try {
            session.close(reason);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing session {0} failed: {1}", session.getId(), e.toString());
        }
    }

    /** An origin fit for a log line: client text, so bounded and without control characters. */
    private static String printable(String origin) {
        if (origin == null) {
            return "(none)";
        }
        String cut = origin.length() > 200 ? origin.substring(0, 200) + "..." : origin;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}

package dev.jchat.endpoint;

import dev.jchat.ChatConfig;
import dev.jchat.message.ClientFrame;
import dev.jchat.message.ErrorFrame;
import dev.jchat.message.FrameDecoder;
import dev.jchat.message.FrameEncoder;
import dev.jchat.message.InvalidFrameException;
import dev.jchat.message.Pong;
import dev.jchat.room.ChatHub;
import dev.jchat.room.Member;
import dev.jchat.room.Room;
import dev.jchat.security.InputRules;
import dev.jchat.security.RefusedException;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The {@code /chat} WebSocket endpoint: decodes, checks, and hands to the room. One instance per
 * connection; the container calls it for one event at a time, so its fields need no lock beyond
 * being visible to the close and error callbacks.
 */
@ServerEndpoint(value = "/chat", configurator = ChatConfigurator.class)
public final class ChatEndpoint {

    private static final System.Logger LOG = System.getLogger(ChatEndpoint.class.getName());

    private volatile ChatHub hub;
    private volatile Member member;
    private volatile Room room; // null while the connection is refused or not yet in a room

    /**
     * The one wiring the launcher and the web application share: binds the hub to the container
     * and deploys this endpoint on it.
     */
    public static void deploy(ServerContainer container, ChatHub hub) throws DeploymentException {
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
        // The same limits on every runtime: Tomcat's default text buffer is 8 KiB, Tyrus' 4 MiB.
        session.setMaxTextMessageBufferSize(config.maxFrameBytes());
        session.setMaxBinaryMessageBufferSize(config.maxFrameBytes());
        session.setMaxIdleTimeout(config.idleTimeoutSeconds() * 1000L);

        ConnectionQuery query;
        try {
            query = ConnectionQuery.parse(session.getRequestParameterMap());
        } catch (RefusedException e) {
            member = hub.open(session, null);
            LOG.log(Level.DEBUG, "refusing session {0}: {1}", session.getId(), e.getMessage());
            refuse(e);
            member.close(new CloseReason(CloseCodes.VIOLATED_POLICY, e.code().wire()));
            return;
        }
        member = hub.open(session, query.user());
        room = hub.rooms().join(query.room(), member, query.since(), query.epoch());
    }

    @OnMessage
    public void onText(String text) {
        if (room == null || member == null) {
            return; // refused at the handshake and closing
        }
        ClientFrame frame;
        try {
            frame = FrameDecoder.fromJson(text);
        } catch (InvalidFrameException e) {
            member.send(FrameEncoder.toJson(ErrorFrame.of(e.code(), e.getMessage())));
            return;
        }
        if (frame instanceof ClientFrame.Chat chat) {
            onChat(chat);
        } else {
            member.send(FrameEncoder.toJson(new Pong(Instant.now().truncatedTo(ChronoUnit.MILLIS))));
        }
    }

    @OnMessage
    public void onBinary(ByteBuffer data, Session session) {
        if (member == null) {
            closeQuietly(session, new CloseReason(CloseCodes.CANNOT_ACCEPT, "binary frames are not supported"));
            return;
        }
        member.close(new CloseReason(CloseCodes.CANNOT_ACCEPT, "binary frames are not supported"));
    }

    @OnClose
    public void onClose(Session session, CloseReason reason) {
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
            refuse(e);
            return;
        }
        room.publish(member, text);
    }

    private static void closeQuietly(Session session, CloseReason reason) {
        try {
            session.close(reason);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing session {0} failed: {1}", session.getId(), e.toString());
        }
    }

    private void refuse(RefusedException e) {
        member.send(FrameEncoder.toJson(ErrorFrame.of(e.code(), e.getMessage())));
    }
}

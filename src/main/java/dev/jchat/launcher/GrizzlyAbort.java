package dev.jchat.launcher;

import dev.jchat.room.ConnectionAbort;
import jakarta.websocket.Session;
import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.util.List;
import org.glassfish.grizzly.Connection;

/**
 * Drops the Grizzly connection under a Tyrus session, and tells when it last read ({@link ReadClock}).
 * Dropping: Tyrus queues a close frame behind every
 * frame still unwritten and closes the socket only once they are written, which a peer that
 * stopped reading never allows; so a connection the server gave up on would hold its socket and
 * its unwritten frames for ever. Tyrus exposes no way down to the socket, so the path is taken
 * through its fields (session, remote endpoint, web socket, protocol handler, writer), looked up
 * once; a Tyrus that renamed them is reported at startup and leaves stalled sockets to the OS.
 * Thread-safe.
 */
final class GrizzlyAbort implements ConnectionAbort {

    private static final System.Logger LOG = System.getLogger(GrizzlyAbort.class.getName());

    private final List<Field> path;

    private GrizzlyAbort(List<Field> path) {
        this.path = path;
    }

    /** The abort for this Tyrus, or {@link ConnectionAbort#NONE} with one log line when its fields are not there. */
    static ConnectionAbort create() {
        try {
            List<Field> path = List.of(
                    field("org.glassfish.tyrus.core.TyrusSession", "basicRemote"),
                    field("org.glassfish.tyrus.core.TyrusRemoteEndpoint", "webSocket"),
                    field("org.glassfish.tyrus.core.TyrusWebSocket", "protocolHandler"),
                    field("org.glassfish.tyrus.core.ProtocolHandler", "writer"),
                    field("org.glassfish.tyrus.container.grizzly.client.GrizzlyWriter", "connection"));
            return new GrizzlyAbort(path);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.WARNING, "this Tyrus hides its connections (" + e + "): a peer that stops reading keeps its"
                    + " socket until the operating system gives up on it");
            return NONE;
        }
    }

    @Override
    public boolean abort(Session session) {
        Connection<?> connection = connection(session);
        if (connection == null) {
            return false;
        }
        connection.terminateSilently();
        return true;
    }

    @Override
    public long lastRead(Session session) {
        Connection<?> connection = connection(session);
        return connection == null ? Long.MIN_VALUE : ReadClock.lastRead(connection);
    }

    /** The Grizzly connection under a Tyrus session, or null. */
    private Connection<?> connection(Session session) {
        Object at = session;
        try {
            for (Field field : path) {
                if (!field.getDeclaringClass().isInstance(at)) {
                    return null; // not a session of this container, or another writer (an extension's)
                }
                at = field.get(at);
            }
        } catch (IllegalAccessException e) {
            LOG.log(Level.DEBUG, "cannot reach the connection of session {0}: {1}", session.getId(), e.toString());
            return null;
        }
        return at instanceof Connection<?> connection ? connection : null;
    }

    private static Field field(String className, String name) throws ReflectiveOperationException {
        Field field = Class.forName(className, false, GrizzlyAbort.class.getClassLoader()).getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }
}

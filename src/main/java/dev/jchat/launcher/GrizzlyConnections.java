package dev.jchat.launcher;

import dev.jchat.room.Connections;
import dev.jchat.room.Frame;
import dev.jchat.room.FrameWriter;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.LongSupplier;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.asyncqueue.AsyncQueueWriter;
import org.glassfish.grizzly.asyncqueue.WritableMessage;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.MemoryManager;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;

/**
 * The Grizzly connection under a Tyrus session, for what the WebSocket API does not offer:
 * <ul>
 *   <li>dropping it: Tyrus queues a close frame behind every frame still unwritten and closes the
 *       socket only once they are written, which a peer that stopped reading never allows;</li>
 *   <li>when it last read anything ({@link ReadClock}), pings included, for the hub's idle check;</li>
 *   <li>the frame limit, on each frame's header as it arrives ({@link FrameLimit}), where Tyrus
 *       would buffer a frame whole first;</li>
 *   <li>sending: a message's frame is encoded once ({@link Frame#wire()}) and its bytes go to every
 *       recipient's socket as they are, where {@code sendText} encodes and frames the text again per
 *       recipient; frames waiting for one connection go in one write. They go straight to the
 *       transport's write queue, which Tyrus' own writes (pongs, close frames) join in the order
 *       they are made: Tyrus' writer would queue each send as a task of its own and pass it down
 *       every filter of the chain, none of which does anything to bytes written. Not with a
 *       negotiated extension, which would change the bytes.</li>
 * </ul>
 * Tyrus exposes no way down to the socket, so the path is taken through its fields (session,
 * remote endpoint, web socket, protocol handler, writer, connection), looked up once; a Tyrus that
 * renamed them is reported at startup, and then the chat does without. Thread-safe.
 */
final class GrizzlyConnections implements Connections {

    private static final System.Logger LOG = System.getLogger(GrizzlyConnections.class.getName());
    /** Frames waiting for a connection that one write takes. */
    private static final int BATCH = 16;

    private final List<Field> path;
    private final boolean frames;

    private GrizzlyConnections(List<Field> path, boolean frames) {
        this.path = path;
        this.frames = frames;
    }

    /**
     * This Tyrus's connections, or {@link Connections#NONE} with one log line when its fields are
     * not there. With {@code frames} false, sends go through {@code sendText} (the portable way).
     */
    static Connections create(boolean frames) {
        try {
            List<Field> path = List.of(
                    field("org.glassfish.tyrus.core.TyrusSession", "basicRemote"),
                    field("org.glassfish.tyrus.core.TyrusRemoteEndpoint", "webSocket"),
                    field("org.glassfish.tyrus.core.TyrusWebSocket", "protocolHandler"),
                    field("org.glassfish.tyrus.core.ProtocolHandler", "writer"),
                    field("org.glassfish.tyrus.container.grizzly.client.GrizzlyWriter", "connection"));
            LOG.log(Level.INFO, frames ? "sending each message's frame, encoded once, straight to Grizzly"
                    : "sending through the WebSocket API's sendText");
            return new GrizzlyConnections(path, frames);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.WARNING, "this Tyrus hides its connections (" + e + "): sends go through sendText, a peer"
                    + " that stops reading keeps its socket until the operating system gives up on it, and Tyrus"
                    + " keeps the idle timeout");
            return NONE;
        }
    }

    @Override
    public boolean abort(Session session) {
        if (!(walk(session, path.size()) instanceof Connection<?> connection)) {
            return false;
        }
        connection.terminateSilently();
        return true;
    }

    @Override
    public LongSupplier readClock(Session session) {
        if (walk(session, path.size()) instanceof Connection<?> connection) {
            return () -> ReadClock.lastRead(connection);
        }
        return () -> Long.MIN_VALUE;
    }

    @Override
    public boolean limitFrames(Session session, long maxBytes, Runnable tooBig) {
        if (!(walk(session, path.size()) instanceof Connection<?> connection)) {
            return false;
        }
        FrameLimit.watch(connection, maxBytes, tooBig);
        return true;
    }

    @Override
    public FrameWriter writer(Session session) {
        if (!frames || !session.getNegotiatedExtensions().isEmpty()
                || !(walk(session, path.size()) instanceof Connection<?> connection)
                || !(connection.getTransport() instanceof TCPNIOTransport transport)) {
            return FrameWriter.portable(session);
        }
        @SuppressWarnings("unchecked")
        Connection<SocketAddress> socket = (Connection<SocketAddress>) connection;
        return new SocketWriter(transport.getAsyncQueueIO().getWriter(), socket, transport.getMemoryManager());
    }

    /**
     * One connection's sends, straight to the transport's write queue. It is also the completion
     * handler of the send in flight: an outbox has one at a time, so nothing is made per send but
     * the buffer around the bytes.
     */
    private static final class SocketWriter extends EmptyCompletionHandler<WriteResult<WritableMessage, SocketAddress>>
            implements FrameWriter {

        private static final SendResult OK = new SendResult();

        private final AsyncQueueWriter<SocketAddress> out;
        private final Connection<SocketAddress> socket;
        private final MemoryManager<?> memory;
        private volatile SendHandler done; // the send in flight's

        SocketWriter(AsyncQueueWriter<SocketAddress> out, Connection<SocketAddress> socket, MemoryManager<?> memory) {
            this.out = out;
            this.socket = socket;
            this.memory = memory;
        }

        @Override
        public void send(List<Frame> frames, SendHandler done) {
            this.done = done;
            out.write(socket, Buffers.wrap(memory, frames.size() == 1 ? frames.get(0).wire() : joined(frames)), this);
        }

        @Override
        public int batch() {
            return BATCH;
        }

        @Override
        public void completed(WriteResult<WritableMessage, SocketAddress> result) {
            done.onResult(OK);
        }

        @Override
        public void failed(Throwable error) {
            done.onResult(new SendResult(error));
        }

        @Override
        public void cancelled() {
            done.onResult(new SendResult(new CancellationException("the write was cancelled")));
        }
    }

    /** Frames waiting for one connection, in one buffer: one write, one system call, for them all. */
    private static ByteBuffer joined(List<Frame> frames) {
        int size = 0;
        for (Frame frame : frames) {
            size += frame.wire().remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (Frame frame : frames) {
            all.put(frame.wire());
        }
        return all.flip();
    }

    /** The object {@code steps} fields down from the session, or null when the path does not hold for it. */
    private Object walk(Session session, int steps) {
        Object at = session;
        try {
            for (Field field : path.subList(0, steps)) {
                if (!field.getDeclaringClass().isInstance(at)) {
                    return null; // not a session of this container, or another writer (an extension's)
                }
                at = field.get(at);
            }
        } catch (IllegalAccessException e) {
            LOG.log(Level.DEBUG, "cannot reach the connection of session {0}: {1}", session.getId(), e.toString());
            return null;
        }
        return at;
    }

    private static Field field(String className, String name) throws ReflectiveOperationException {
        Field field = Class.forName(className, false, GrizzlyConnections.class.getClassLoader()).getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }
}

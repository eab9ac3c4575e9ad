package dev.jchat.launcher.grizzly;

import dev.jchat.connection.Connections;
import dev.jchat.connection.Frame;
import dev.jchat.connection.FrameWriter;
import dev.jchat.tyrus.FieldPath;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.asyncqueue.AsyncQueueWriter;
import org.glassfish.grizzly.asyncqueue.WritableMessage;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.MemoryManager;
import org.glassfish.grizzly.nio.NIOConnection;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.tyrus.spi.Writer;

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
 *       recipient; frames waiting for one connection go in one write. The connection's writer
 *       ({@link SocketWriter}) takes the place of Tyrus' in the session, so Tyrus' own frames (pongs,
 *       close frames) and the chat's go out in the order they are made, each straight to the socket
 *       when nothing waits before it. Not with a negotiated extension, which would change the
 *       bytes.</li>
 * </ul>
 * Tyrus exposes no way down to the socket, so the path is taken through its fields (session,
 * remote endpoint, web socket, protocol handler, writer: {@link FieldPath#TYRUS_WRITER}, which
 * Payara's WAR takes too; then the Grizzly writer's connection), looked up once at startup; a
 * Tyrus that renamed them is reported then, and the chat does without. Thread-safe.
 */
public final class GrizzlyConnections implements Connections {

    private static final System.Logger LOG = System.getLogger(GrizzlyConnections.class.getName());
    /** Frames waiting for a connection that one write takes. */
    private static final int BATCH = 16;

    /** Tyrus' writer in a session's protocol handler: the chat's {@link SocketWriter} takes its place. */
    private final FieldPath toWriter;
    /** The Grizzly connection under a session whose writer is still Tyrus' own. */
    private final FieldPath toConnection;
    private final boolean frames;
    private final AtomicBoolean told = new AtomicBoolean();

    private GrizzlyConnections(FieldPath toWriter, FieldPath toConnection, boolean frames) {
        this.toWriter = toWriter;
        this.toConnection = toConnection;
        this.frames = frames;
    }

    /**
     * This Tyrus's connections, or {@link Connections#NONE} with one log line when its fields are
     * not there. With {@code frames} false, sends go through {@code sendText} (the portable way).
     */
    public static Connections create(boolean frames) {
        try {
            FieldPath toWriter = FieldPath.TYRUS_WRITER;
            FieldPath toConnection = toWriter
                    .then("org.glassfish.tyrus.container.grizzly.client.GrizzlyWriter", "connection")
                    .resolvedIn(GrizzlyConnections.class.getClassLoader()); // every step of the writer's path too
            LOG.log(Level.DEBUG, frames ? "sending each message's frame, encoded once, straight to each socket"
                    : "sending through the WebSocket API's sendText");
            return new GrizzlyConnections(toWriter, toConnection, frames);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.WARNING, "this Tyrus hides its connections (" + e + "): sends go through sendText, a peer"
                    + " that stops reading keeps its socket until the operating system gives up on it, and"
                    + " WebSocket pings do not keep a connection from being idle");
            return NONE;
        }
    }

    /**
     * Drops the connection with a reset (SO_LINGER 0): closed gracefully, the kernel would still
     * hold what the peer never reads, and try to send it for minutes.
     */
    @Override
    public boolean abort(Session session) {
        if (!(connection(session) instanceof Connection<?> connection) || !connection.isOpen()) {
            return false;
        }
        if (connection instanceof NIOConnection nio && nio.getChannel() instanceof SocketChannel channel) {
            try {
                channel.socket().setSoLinger(true, 0);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "cannot set SO_LINGER on session {0}''s connection: {1}", session.getId(),
                        e.toString()); // closing as usual still ends it
            }
        }
        connection.terminateSilently();
        return true;
    }

    @Override
    public LongSupplier readClock(Session session) {
        if (connection(session) instanceof Connection<?> connection) {
            return () -> ReadClock.lastRead(connection);
        }
        return () -> Long.MIN_VALUE;
    }

    @Override
    public boolean limitFrames(Session session, long maxBytes, Runnable tooBig) {
        if (!(connection(session) instanceof Connection<?> connection)) {
            return false;
        }
        FrameLimit.watch(connection, maxBytes, tooBig);
        return true;
    }

    @Override
    public FrameWriter writer(Session session) {
        if (!frames || !session.getNegotiatedExtensions().isEmpty()
                || !(walk(toWriter, session) instanceof Writer tyrus)
                || !(connection(session) instanceof NIOConnection connection)
                || !(connection.getChannel() instanceof SocketChannel channel)
                || !(connection.getTransport() instanceof TCPNIOTransport transport)) {
            return FrameWriter.portable(session);
        }
        SocketWriter mine = new SocketWriter(transport.getAsyncQueueIO().getWriter(), connection, channel,
                transport.getMemoryManager(), tyrus);
        try {
            if (toWriter.set(session, mine)) { // from now on Tyrus' own frames go through it too
                return mine;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            failed(session, e);
        }
        return FrameWriter.portable(session);
    }

    /**
     * Every write of one connection, the chat's frames and Tyrus' own (pongs, close frames), in
     * the order they are made. A write goes straight to the socket, on the caller's thread, when
     * nothing of the connection waits in the transport's write queue; what the socket does not
     * take then goes to that queue, and so does every write after it until the queue is empty, so
     * bytes never overtake each other. Grizzly's writer would make a queue record, a result and an
     * atomic reservation per write; Tyrus' writer a task and a pass down every filter of the chain,
     * none of which does anything to bytes written. Closing is left to the writer it replaces.
     *
     * <p>It is also the completion handler of the chat's send in flight when that send waits in
     * the queue: an outbox has one send at a time, so nothing is made per send but the buffer.
     */
    private static final class SocketWriter extends Writer implements FrameWriter,
            CompletionHandler<WriteResult<WritableMessage, SocketAddress>> {

        private static final SendResult OK = new SendResult();

        private final AsyncQueueWriter<SocketAddress> queue;
        private final NIOConnection connection;
        private final SocketChannel channel;
        private final MemoryManager<?> memory;
        private final Writer tyrus;
        private volatile SendHandler done; // the chat's send in flight's

        SocketWriter(AsyncQueueWriter<SocketAddress> queue, NIOConnection connection, SocketChannel channel,
                     MemoryManager<?> memory, Writer tyrus) {
            this.queue = queue;
            this.connection = connection;
            this.channel = channel;
            this.memory = memory;
            this.tyrus = tyrus;
        }

        @Override
        public void send(List<Frame> frames, SendHandler done) {
            this.done = done;
            try {
                if (written(frames.size() == 1 ? frames.get(0).wire() : joined(frames), this)) {
                    done.onResult(OK);
                }
            } catch (IOException e) {
                done.onResult(new SendResult(e));
            }
        }

        @Override
        public int batch() {
            return BATCH;
        }

        /** Tyrus' own frames: pongs, close frames, and sends of anything that bypasses the chat's outbox. */
        @Override
        public void write(ByteBuffer bytes, org.glassfish.tyrus.spi.CompletionHandler<ByteBuffer> handler) {
            if (!connection.isOpen()) {
                handler.failed(new IllegalStateException("the connection is closed"));
                return;
            }
            try {
                if (written(bytes, new EmptyCompletionHandler<>() {
                    @Override
                    public void completed(WriteResult<WritableMessage, SocketAddress> result) {
                        handler.completed(bytes);
                    }

                    @Override
                    public void failed(Throwable error) {
                        handler.failed(error);
                    }

                    @Override
                    public void cancelled() {
                        handler.cancelled();
                    }
                })) {
                    handler.completed(bytes);
                }
            } catch (IOException | RuntimeException e) {
                handler.failed(e); // as Tyrus' writer reports a failed write: to the sender, not by throwing
            }
        }

        /**
         * Writes {@code bytes} now and returns true, or queues what the socket did not take and
         * returns false: {@code later} hears of it then. The lock keeps the check of the queue and
         * the write together, so no other write of this connection comes between them.
         */
        private synchronized boolean written(ByteBuffer bytes,
                                             CompletionHandler<WriteResult<WritableMessage, SocketAddress>> later)
                throws IOException {
            if (connection.getAsyncWriteQueue().spaceInBytes() == 0) {
                channel.write(bytes);
                if (!bytes.hasRemaining()) {
                    return true;
                }
            }
            queue.write(connection, Buffers.wrap(memory, bytes), later);
            return false;
        }

        @Override
        public void close() throws IOException {
            tyrus.close();
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

        @Override
        public void updated(WriteResult<WritableMessage, SocketAddress> result) {
            // a part written: the send completes when all of it is
        }
    }

    /** Frames waiting for one connection, in one buffer: one write, one system call, for them all. */
    private static ByteBuffer joined(List<Frame> frames) {
        // each frame's wire taken once: a replayed history frame is framed anew on every call
        ByteBuffer[] wires = new ByteBuffer[frames.size()];
        int size = 0;
        for (int i = 0; i < wires.length; i++) {
            wires[i] = frames.get(i).wire();
            size += wires[i].remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer wire : wires) {
            all.put(wire);
        }
        return all.flip();
    }

    /** The Grizzly connection under the session, or null when the path does not hold for it. */
    private Object connection(Session session) {
        return walk(toWriter, session) instanceof SocketWriter mine ? mine.connection : walk(toConnection, session);
    }

    /**
     * What {@code path} leads to from the session, or null when it does not hold for it: not a
     * session of this container, or another writer (an extension's).
     */
    private Object walk(FieldPath path, Session session) {
        try {
            return path.walk(session);
        } catch (ReflectiveOperationException | RuntimeException e) {
            failed(session, e);
            return null;
        }
    }

    /** A field found at startup that cannot be read or written now: said once, then the portable way. */
    private void failed(Session session, Exception e) {
        if (told.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "cannot reach below a Tyrus session (" + e + "): its sends go through sendText,"
                    + " and it may not be dropped, limited by frame header or timed by its reads");
        } else {
            LOG.log(Level.DEBUG, "cannot reach below session {0}: {1}", session.getId(), e.toString());
        }
    }
}

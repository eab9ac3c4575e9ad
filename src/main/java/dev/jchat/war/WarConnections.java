package dev.jchat.war;

import dev.jchat.connection.Connections;
import dev.jchat.connection.FrameWriter;
import dev.jchat.connection.Threads;
import dev.jchat.tyrus.FieldPath;
import jakarta.websocket.Session;
import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The connections of the chat as a web application. Beyond the WebSocket API it does one thing,
 * for Tyrus (Payara's WebSocket): Tyrus restarts a session's idle timer on every frame sent and
 * received, on the container's scheduler, and Payara's is a managed one, which captures the EE
 * context of each task it is given, a scan of the application's class path for service providers
 * each time. That was most of the server's CPU: about 45 µs per delivery (docs/PERFORMANCE.md).
 * So each Tyrus session gets a plain scheduler of the chat's own instead: the same timer, run by
 * Tyrus as before, with the same close when it expires, but no context around it (Tyrus' idle
 * close needs none). Tomcat's sessions, and a Tyrus without that field, are left as they are.
 *
 * <p>It also tells the hub's idle check when each connection last read anything, WebSocket pings
 * included, which the endpoint never sees: Tomcat keeps that time in its session; Tyrus restarts
 * its idle timer on every read, and on every send, so the scheduler a Tyrus session gets notes the
 * time of each restart that does not come from one of the chat's sends ({@link ReadStamps}). For
 * that, Tyrus keeps an idle timer: twice the chat's timeout, a backstop the hub's check always
 * comes before. And it drops a connection the chat gave up on ({@link #abort}).
 *
 * <p>Every class of a container is named, never imported: Tomcat has no Tyrus, and neither
 * server lends the application its Grizzly. Fields are reached by {@link FieldPath}, whose way
 * down from a Tyrus session to its writer the standalone launcher takes too. Where a way does
 * not hold, it says so once, as a warning, and the chat does without. Thread-safe.
 */
final class WarConnections implements Connections, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WarConnections.class.getName());
    private static final String TYRUS_SESSION = FieldPath.TYRUS_SESSION;
    private static final String TOMCAT_SESSION = "org.apache.tomcat.websocket.WsSession";
    /** From a Tomcat session to its socket wrapper; one step: whether it is a Tomcat session at all. */
    private static final FieldPath TOMCAT_SOCKET = FieldPath.of(TOMCAT_SESSION, "wsRemoteEndpoint")
            .then("org.apache.tomcat.websocket.server.WsRemoteEndpointImplServer", "socketWrapper");
    private static final String TYRUS_UPGRADE_HANDLER = "org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler";
    /** From a Tyrus session down to its upgrade handler, which holds the servlet connection, as Payara runs Tyrus. */
    private static final FieldPath TYRUS_UPGRADE = FieldPath.TYRUS_WRITER
            .then("org.glassfish.tyrus.servlet.TyrusServletWriter", "tyrusHttpUpgradeHandler");
    /** The handler Payara's Tyrus wraps in a proxy of its own. */
    private static final FieldPath PROXIED = FieldPath.of(TYRUS_UPGRADE_HANDLER.replace("TyrusHttpUpgradeHandler",
            "TyrusServletUpgrade$TyrusHttpUpgradeHandlerProxy"), "handler");
    /** From the upgrade handler to Payara's servlet request, whose Grizzly request knows the connection. */
    private static final FieldPath PAYARA_REQUEST = FieldPath.of(TYRUS_UPGRADE_HANDLER, "wc")
            .then("org.apache.catalina.connector.WebConnectionImpl", "request");
    private static final String GRIZZLY_CONNECTION = WarConnections.class.getName() + ".connection";
    private static final String UPGRADE = WarConnections.class.getName() + ".upgrade";
    /** How often a close waiting for Payara to be done with the upgrade request looks again. */
    private static final long UPGRADE_POLL_NANOS = 5_000_000;
    /** How long at most a close waits for that, should Payara's request never let go of its packet. */
    private static final long UPGRADE_WAIT_NANOS = 500_000_000L;

    private final Threads threads = new Threads();
    private final ScheduledThreadPoolExecutor timers;
    /** Set while this thread is in one of the chat's sends: Tyrus' timer restarts then are not reads. */
    private static final ThreadLocal<Boolean> SENDING = new ThreadLocal<>();

    private final AtomicBoolean told = new AtomicBoolean();
    private final AtomicBoolean toldReads = new AtomicBoolean();
    private final AtomicBoolean toldAbort = new AtomicBoolean();
    private final AtomicBoolean toldUpgrade = new AtomicBoolean();
    private volatile Field service; // TyrusSession's scheduler, once found
    private volatile Field lastActiveRead; // Tomcat's WsSession's, once found

    WarConnections() {
        timers = new ScheduledThreadPoolExecutor(1, threads.daemons("chat-session-timer-"));
        timers.setRemoveOnCancelPolicy(true); // Tyrus cancels the timer on every frame
    }

    /**
     * Drops the connection under the session: the WebSocket API can only close a session, with a
     * close frame that a peer that stopped reading never takes, and then neither Tomcat nor
     * Payara's Tyrus ends the TCP connection. Reached through the containers' fields: Tomcat's
     * socket wrapper, looked up per call (it runs once per close given up on), or Payara's Grizzly
     * connection, found at open; closed after a reset is asked for (SO_LINGER 0, so the kernel
     * lets go of what the peer never read). False, with one log line, where the path does not hold.
     */
    @Override
    public boolean abort(Session session) {
        try {
            Object remote = TOMCAT_SOCKET.walk(session, 1);
            if (remote != null) {
                Object wrapper = TOMCAT_SOCKET.walk(session); // set once, with the session
                if (wrapper == null) {
                    cannotDrop(session, "no socket under a " + remote.getClass().getName());
                    return false;
                }
                if ((boolean) method(wrapper, "isClosed").invoke(wrapper)) {
                    return false;
                }
                Object channel = method(wrapper, "getSocket").invoke(wrapper); // Tomcat's NioChannel
                if (channel != null && method(channel, "getIOChannel").invoke(channel) instanceof SocketChannel socket) {
                    socket.setOption(StandardSocketOptions.SO_LINGER, 0);
                }
                method(wrapper, "close").invoke(wrapper);
                return true;
            }
            Object connection = session.getUserProperties().get(GRIZZLY_CONNECTION); // Payara's, found at open
            if (connection != null) {
                if (!(boolean) method(connection, "isOpen").invoke(connection)) {
                    return false;
                }
                if (method(connection, "getChannel").invoke(connection) instanceof SocketChannel socket) {
                    socket.setOption(StandardSocketOptions.SO_LINGER, 0);
                }
                method(connection, "terminateSilently").invoke(connection);
                return true;
            }
            if (!session.getClass().getName().equals(TYRUS_SESSION)) { // a Tyrus one was told of at open
                cannotDrop(session, "no way down from a " + session.getClass().getName());
            }
        } catch (Exception e) { // reflection's and the socket's
            cannotDrop(session, e.toString());
        }
        return false;
    }

    /** Said once as a warning, for the first session it happens to; then per session, for debugging. */
    private void cannotDrop(Session session, String why) {
        if (toldAbort.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "cannot drop the connection of a session this container keeps ({0}): a peer that"
                    + " stopped reading keeps its socket until the operating system gives up on it", why);
        } else {
            LOG.log(Level.DEBUG, "cannot drop the connection of session {0}: {1}", session.getId(), why);
        }
    }

    /**
     * Payara: the Grizzly connection under a Tyrus session, found while its upgrade request is
     * still there to lead to it, kept in the session's user properties for {@link #abort}. Once
     * Tyrus has closed the session, Payara lets go of the request and keeps the connection for
     * HTTP keep-alive, with what the peer never read still queued.
     */
    private void keepGrizzlyConnection(Session session) {
        try {
            Object handler = TYRUS_UPGRADE.walk(session);
            Object proxied = PROXIED.walk(handler);
            Object request = PAYARA_REQUEST.walk(proxied != null ? proxied : handler);
            if (request == null) {
                // Tyrus in another server, or a Payara whose classes on the way changed
                throw new NoSuchFieldException("no Payara request under a " + (handler == null
                        ? "Tyrus session's writer" : handler.getClass().getName()));
            }
            Object grizzly = method(request, "getCoyoteRequest").invoke(request);
            Object packet = method(grizzly, "getRequest").invoke(grizzly);
            Method connectionOf = method(packet, "getConnection");
            Object connection = connectionOf.invoke(packet);
            session.getUserProperties().put(GRIZZLY_CONNECTION, connection);
            session.getUserProperties().put(UPGRADE,
                    new UpgradeRequest(grizzly, method(grizzly, "getRequest"), packet, connectionOf, connection));
        } catch (Exception e) { // reflection's
            cannotDrop(session, "no Grizzly connection under a Tyrus session: " + e);
        }
    }

    private static Method method(Object owner, String name) throws NoSuchMethodException {
        Method method = owner.getClass().getMethod(name);
        method.setAccessible(true); // public, on a class that may not be
        return method;
    }

    @Override
    public void opened(Session session) {
        if (!session.getClass().getName().equals(TYRUS_SESSION)) {
            return;
        }
        keepGrizzlyConnection(session);
        try {
            Field field = service;
            if (field == null) {
                field = session.getClass().getDeclaredField("service");
                if (field.getType() != ScheduledExecutorService.class) {
                    throw new NoSuchFieldException("service is a " + field.getType().getName());
                }
                field.setAccessible(true);
                service = field;
            }
            field.set(session, new ReadStamps(timers));
            if (told.compareAndSet(false, true)) {
                LOG.log(Level.INFO, "Tyrus' session timers run on the chat's own scheduler, not the container's managed one");
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (told.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "Tyrus'' session timers stay on the container''s scheduler ({0}): each frame sent"
                        + " or received schedules a task there, and WebSocket pings do not keep a connection from being"
                        + " idle, only frames do", e.toString());
            }
        }
    }

    /**
     * Payara: a few ms while the upgrade request is still being served. Payara calls the
     * endpoint's open while it serves the upgrade request and goes on with that request after the
     * open returns; a connection closed before it is done (a connection refused as it opens) has
     * its request recycled twice, and the recycled request is handed to another connection, whose
     * own request then fails (a 301 to "/", a NullPointerException in Payara's log). Done is when
     * Grizzly's request has let go of the packet it held at open, which it does last.
     */
    @Override
    public long closeDelayNanos(Session session) {
        if (!(session.getUserProperties().get(UPGRADE) instanceof UpgradeRequest upgrade) || upgrade.done) {
            return 0;
        }
        try {
            if (upgrade.done()) {
                upgrade.done = true;
                return 0;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            upgrade.done = true;
            cannotWaitForUpgrade(e.toString());
            return 0;
        }
        if (System.nanoTime() - upgrade.opened > UPGRADE_WAIT_NANOS) {
            upgrade.done = true;
            cannotWaitForUpgrade("it still held its request after " + UPGRADE_WAIT_NANOS / 1_000_000 + " ms");
            return 0;
        }
        return UPGRADE_POLL_NANOS;
    }

    private void cannotWaitForUpgrade(String why) {
        if (toldUpgrade.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "closing a connection before Payara is done with its upgrade request ({0}): Payara"
                    + " may then fail the request of another connection", why);
        }
    }

    /**
     * Payara's request for a session's upgrade, as Grizzly holds it, for {@link #closeDelayNanos}:
     * done once Grizzly's request holds another packet or none, or the packet is another
     * connection's or none's (both are pooled, and both are let go of when the request is
     * recycled), or the connection is closed already (by the peer: nothing left to close).
     */
    private static final class UpgradeRequest {
        final Object grizzly;
        final Method packetOf;
        final Object packet;
        final Method connectionOf;
        final Object connection;
        final Method isOpen;
        final long opened = System.nanoTime();
        volatile boolean done;

        UpgradeRequest(Object grizzly, Method packetOf, Object packet, Method connectionOf, Object connection)
                throws NoSuchMethodException {
            this.grizzly = grizzly;
            this.packetOf = packetOf;
            this.packet = packet;
            this.connectionOf = connectionOf;
            this.connection = connection;
            this.isOpen = method(connection, "isOpen");
        }

        boolean done() throws ReflectiveOperationException {
            return packetOf.invoke(grizzly) != packet || connectionOf.invoke(packet) != connection
                    || !(boolean) isOpen.invoke(connection);
        }
    }

    /** Twice the hub's: a backstop. Tyrus then restarts its timer on every frame, which tells of reads. */
    @Override
    public long idleTimeoutMillis(long idleMillis) {
        return 2 * idleMillis;
    }

    @Override
    public LongSupplier readClock(Session session) {
        Field tyrus = service;
        if (tyrus != null && tyrus.getDeclaringClass().isInstance(session)) {
            try {
                if (tyrus.get(session) instanceof ReadStamps stamps) {
                    return stamps::lastRead;
                }
            } catch (IllegalAccessException e) {
                cannotTellReads(e.toString());
            }
        } else if (session.getClass().getName().equals(TOMCAT_SESSION)) {
            try {
                Field field = lastActiveRead;
                if (field == null) {
                    field = session.getClass().getDeclaredField("lastActiveRead"); // ms, every read, pings included
                    field.setAccessible(true);
                    lastActiveRead = field;
                }
                Field read = field;
                ReadChanges changes = new ReadChanges();
                return () -> {
                    try {
                        return changes.seen(read.getLong(session), System.nanoTime());
                    } catch (IllegalAccessException e) {
                        cannotTellReads(e.toString());
                        return Long.MIN_VALUE;
                    }
                };
            } catch (ReflectiveOperationException | RuntimeException e) {
                cannotTellReads(e.toString());
            }
        } else if (!session.getClass().getName().equals(TYRUS_SESSION)) { // a Tyrus one was told of at open
            cannotTellReads("no way down from a " + session.getClass().getName());
        }
        return () -> Long.MIN_VALUE;
    }

    private void cannotTellReads(String why) {
        if (toldReads.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "this container does not tell when a session last read ({0}): WebSocket pings do"
                    + " not keep a connection from being idle, only frames do", why);
        }
    }

    /** The portable send, marked as the chat's own so that Tyrus' timer restart in it is not taken for a read. */
    @Override
    public FrameWriter writer(Session session) {
        FrameWriter portable = FrameWriter.portable(session);
        return (frames, done) -> {
            SENDING.set(Boolean.TRUE);
            try {
                portable.send(frames, done);
            } finally {
                SENDING.remove();
            }
        };
    }

    @Override
    public void close() {
        timers.shutdownNow();
        if (!threads.join(Duration.ofSeconds(2))) {
            LOG.log(Level.WARNING, "the session timer thread did not end within 2 s of the undeploy");
        }
    }

    /**
     * One Tyrus session's scheduler: the chat's shared one, noting when the session's idle timer
     * was last restarted outside the chat's sends, which is when it last read a frame (text,
     * ping or pong). Tyrus restarts the timer with {@code schedule}, on the thread that read or
     * sent. Thread-safe.
     */
    private static final class ReadStamps extends AbstractExecutorService implements ScheduledExecutorService {

        private final ScheduledExecutorService timers;
        private volatile long lastRead = Long.MIN_VALUE;

        ReadStamps(ScheduledExecutorService timers) {
            this.timers = timers;
        }

        long lastRead() {
            return lastRead;
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            if (SENDING.get() == null) {
                lastRead = System.nanoTime();
            }
            return timers.schedule(command, delay, unit);
        }

        @Override
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            return timers.schedule(callable, delay, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            return timers.scheduleAtFixedRate(command, initialDelay, period, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
            return timers.scheduleWithFixedDelay(command, initialDelay, delay, unit);
        }

        @Override
        public void execute(Runnable command) {
            timers.execute(command);
        }

        /** The shared scheduler is the application's to stop, not a session's. */
        @Override
        public void shutdown() {
        }

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return timers.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return timers.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return timers.awaitTermination(timeout, unit);
        }
    }

    /**
     * When a value the container changes on every read (Tomcat's last read, in wall-clock ms) was
     * last seen to change, on this JVM's monotonic clock. The wall clock is never compared with
     * anything: a step of it (an NTP step, a resumed VM) must not make every connection that only
     * pings look idle at once. Seen once a second by the hub's idle check, so a read counts up to a
     * second late, never early. Thread-safe.
     */
    static final class ReadChanges {

        private long value = Long.MIN_VALUE;
        private long changedAt;

        /** The monotonic time ({@code nanos}, now) at which {@code current} was first seen. */
        synchronized long seen(long current, long nanos) {
            if (current != value) {
                value = current;
                changedAt = nanos;
            }
            return changedAt;
        }
    }
}

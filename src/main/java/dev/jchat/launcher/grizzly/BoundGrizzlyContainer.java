package dev.jchat.launcher.grizzly;

import dev.jchat.connection.Threads;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.ServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * Tyrus on Grizzly, listening on one address rather than on all of them.
 *
 * <p>Tyrus' own Grizzly container binds {@code 0.0.0.0} whatever host it is given (Tyrus issue
 * 593), so the launcher sets up the same pieces itself: a Grizzly {@link HttpServer} with one
 * listener on {@code host}, Tyrus' WebSocket add-on on it, and the launcher's handler for plain
 * HTTP (the page and the operator's paths). Only the add-on's constructor is not public; it is
 * called reflectively, and a Tyrus that changes it fails at startup with a message saying so.
 * Thread-safe.
 */
public final class BoundGrizzlyContainer extends TyrusServerContainer {

    private static final int FRAME_HEADER = 14;
    private static final int READ_BUFFER = 64 * 1024;

    private final String host;
    private final HttpHandler http;
    private final ReadClock readClock = new ReadClock();
    private final WebSocketEngine engine;
    private final ScheduledThreadPoolExecutor timers = timers(2, "tyrus-timer-");
    private final FrameLimit frameLimit = new FrameLimit(timers);
    /** One timer per connection accepted, for up to the handshake timeout: apart from Tyrus'. */
    private final ScheduledThreadPoolExecutor handshakeTimers = timers(1, "handshake-timer-");
    private final HandshakeTimeout handshakeTimeout;
    private volatile String contextPath = "/";
    private volatile HttpServer server;
    private volatile NetworkListener listener;

    /**
     * @param http             what answers plain HTTP requests (the page, the operator's paths)
     * @param maxFrameBytes    the largest frame the endpoint accepts; Tyrus buffers a whole frame,
     *                         whatever the session's limit, up to the bound this sets
     * @param handshakeTimeout how long a connection that is not a chat connection may go without
     *                         an answer from the server before it is closed ({@link HandshakeTimeout})
     */
    public BoundGrizzlyContainer(String host, HttpHandler http, int maxFrameBytes, Duration handshakeTimeout) {
        super((Set<Class<?>>) null);
        this.handshakeTimeout = new HandshakeTimeout(handshakeTimers, handshakeTimeout);
        this.host = host;
        this.http = http;
        // What Tyrus holds unparsed at once: one frame not yet complete (header included) and one
        // read. Frames over maxFrameBytes never get here (FrameLimit drops them and the chat
        // closes with 1009); this bound is the wall behind it, where Tyrus closes with 1011.
        this.engine = TyrusWebSocketEngine.builder(this)
                .incomingBufferSize(maxFrameBytes + FRAME_HEADER + READ_BUFFER)
                .build();
    }

    @Override
    public void register(Class<?> endpointClass) throws DeploymentException {
        engine.register(endpointClass, contextPath);
    }

    @Override
    public void register(ServerEndpointConfig endpointConfig) throws DeploymentException {
        engine.register(endpointConfig, contextPath);
    }

    /**
     * Tyrus restarts a session's idle timer on every frame sent or received, cancelling the last
     * one; on its own scheduler the cancelled task stays queued until it would have run (a dead
     * task per delivery for the whole idle timeout). This one removes them when cancelled.
     */
    @Override
    public ScheduledExecutorService getScheduledExecutorService() {
        return timers;
    }

    /** No Tyrus properties: the launcher configures the container through its setters. */
    @Override
    public Map<String, Object> getProperties() {
        return Map.of();
    }

    @Override
    public WebSocketEngine getWebSocketEngine() {
        return engine;
    }

    /** Listens on {@code host} at {@code port} (0: a free one) and deploys the added endpoints. */
    @Override
    public void start(String rootPath, int port) throws IOException, DeploymentException {
        contextPath = rootPath;
        NetworkListener bound = new NetworkListener("chat", host, port);
        // As Tyrus does: frames are handled off the selector threads, and an upgraded
        // connection is never closed by HTTP keep-alive (the endpoint's idle timeout governs it).
        // Connections that are not upgraded get the handshake timeout instead.
        bound.getTransport().setIOStrategy(WorkerThreadIOStrategy.getInstance());
        bound.getTransport().setReadBufferSize(READ_BUFFER); // one read at most, as the frame bound above assumes
        bound.getKeepAlive().setIdleTimeoutInSeconds(-1);
        bound.registerAddOn(handshakeTimeout);
        bound.registerAddOn(readClock);
        bound.registerAddOn(frameLimit);
        bound.registerAddOn(webSocketAddOn(this, rootPath));
        HttpServer started = new HttpServer();
        started.addListener(bound);
        started.getServerConfiguration().addHttpHandler(http);
        listener = bound;
        server = started;
        try {
            started.start();
            super.start(rootPath, port);
        } catch (IOException | DeploymentException | RuntimeException e) {
            started.shutdownNow(); // a failed bind leaves the transport's threads running
            throw e;
        }
    }

    @Override
    public void stop() {
        super.stop();
        timers.shutdownNow();
        handshakeTimers.shutdownNow();
        HttpServer running = server;
        if (running != null) {
            running.shutdownNow();
        }
    }

    /** The port it listens on, once started; -1 before. */
    @Override
    public int getPort() {
        NetworkListener bound = listener;
        return bound != null && bound.getPort() > 0 ? bound.getPort() : -1;
    }

    private static ScheduledThreadPoolExecutor timers(int threads, String name) {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(threads, new Threads().daemons(name));
        timers.setRemoveOnCancelPolicy(true);
        return timers;
    }

    /** The listener's transport, once started. */
    public TCPNIOTransport transport() {
        return listener.getTransport();
    }

    /** Timers Tyrus has scheduled and not yet run or cancelled, for tests that look for leaks. */
    public int pendingTimers() {
        return timers.getQueue().size();
    }

    private static AddOn webSocketAddOn(ServerContainer container, String contextPath) {
        try {
            Constructor<WebSocketAddOn> constructor =
                    WebSocketAddOn.class.getDeclaredConstructor(ServerContainer.class, String.class);
            constructor.setAccessible(true);
            return constructor.newInstance(container, contextPath);
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException
                 | InaccessibleObjectException e) {
            throw new IllegalStateException("this Tyrus has no WebSocketAddOn(ServerContainer, String) the launcher"
                    + " can call; it is built for Tyrus 2.1 (" + e + ")", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("Tyrus' WebSocketAddOn failed: " + e.getCause(), e.getCause());
        }
    }
}

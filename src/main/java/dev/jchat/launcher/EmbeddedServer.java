package dev.jchat.launcher;

import dev.jchat.config.ChatConfig;
import dev.jchat.config.ConfigException;
import dev.jchat.config.Setting;
import dev.jchat.Engines;
import dev.jchat.endpoint.ChatEndpoint;
import dev.jchat.endpoint.Hubs;
import dev.jchat.launcher.grizzly.BoundGrizzlyContainer;
import dev.jchat.launcher.grizzly.GrizzlyConnections;
import dev.jchat.launcher.grizzly.HandshakeTimeout;
import dev.jchat.ChatHub;
import dev.jchat.connection.Connections;
import jakarta.websocket.DeploymentException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import org.glassfish.grizzly.http.util.MimeType;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.tyrus.spi.ServerContainer;

/**
 * The chat endpoint and its page on one port, on Tyrus over Grizzly, with no application server.
 * What {@link Main} runs and what the tests start. Thread-safe.
 */
public final class EmbeddedServer implements AutoCloseable {

    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(3);

    private final ChatHub hub;
    private final ServerContainer container;
    private final StaticContent page;
    private final int port;
    private final String authority;

    private EmbeddedServer(ChatHub hub, ServerContainer container, StaticContent page, String host, int port) {
        this.hub = hub;
        this.container = container;
        this.page = page;
        this.port = port;
        this.authority = (isWildcard(host) ? "localhost" : host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Refuses {@code CHAT_AUTH=container}: this server has no login of its own, so no handshake
     * would ever bring an authenticated user, and every connection would be refused.
     *
     * @throws ConfigException naming the setting
     */
    public static void refuseContainerAuth(ChatConfig config) {
        if (config.security().auth() == ChatConfig.Auth.CONTAINER) {
            throw new ConfigException(Setting.AUTH.variable(), "is container, which takes names from an application"
                    + " server's login (the WAR in Tomcat or Payara); the standalone server has none: use auto");
        }
    }

    /**
     * Starts a server listening on {@code config.host()} at {@code config.port()}, or on a free
     * port when that is 0.
     */
    public static EmbeddedServer start(ChatConfig config) throws IOException, DeploymentException {
        return start(config, true);
    }

    /**
     * As {@link #start(ChatConfig)}; with {@code frames} false, every send goes through the
     * WebSocket API's {@code sendText}, as in a WAR, rather than as bytes framed once per message.
     */
    public static EmbeddedServer start(ChatConfig config, boolean frames) throws IOException, DeploymentException {
        return start(config, frames, HandshakeTimeout.DEFAULT);
    }

    /** As {@link #start(ChatConfig, boolean)}, closing connections not upgraded after {@code handshakeTimeout}. */
    static EmbeddedServer start(ChatConfig config, boolean frames, Duration handshakeTimeout)
            throws IOException, DeploymentException {
        refuseContainerAuth(config);
        // Grizzly's table lacks .js, and browsers refuse a module script without a JavaScript type.
        if (!MimeType.contains("js")) {
            MimeType.add("js", "text/javascript");
        }
        Connections connections = GrizzlyConnections.create(frames);
        ChatHub hub = Engines.hub(config, connections); // it closes idle connections: Tyrus keeps no timer per session
        StaticContent page = StaticContent.locate();
        BoundGrizzlyContainer container = new BoundGrizzlyContainer(config.host(),
                new PageHandler(page.folder().toString(), new OpsHandler(hub), new ApiHandler(hub), config.security()), config.maxFrameBytes(), handshakeTimeout);
        try {
            ChatEndpoint.deploy(container, hub);
            container.start("/", config.port());
        } catch (IOException | DeploymentException | RuntimeException e) {
            Hubs.unbind(container);
            page.close();
            throw e;
        }
        return new EmbeddedServer(hub, container, page, config.host(), container.getPort());
    }

    public int port() {
        return port;
    }

    /** The page's address on this machine. */
    public URI pageUri() {
        return URI.create("http://" + authority + "/");
    }

    /** The endpoint's address on this machine, without a query. */
    public URI chatUri() {
        return URI.create("ws://" + authority + "/chat");
    }

    /**
     * 0.0.0.0 or any spelling of ::, where the addresses above say localhost rather than the
     * host; a host name is never looked up here.
     */
    private static boolean isWildcard(String host) {
        if (!host.contains(":") && !host.equals("0.0.0.0")) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isAnyLocalAddress(); // an IP literal: parsed, not resolved
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Timers the WebSocket container holds, for tests that look for leaks. */
    int containerTimers() {
        return container instanceof BoundGrizzlyContainer bound ? bound.pendingTimers() : 0;
    }

    /** The transport under the container, for tests that look at its connections. */
    TCPNIOTransport transport() {
        return ((BoundGrizzlyContainer) container).transport();
    }

    public ChatHub hub() {
        return hub;
    }

    /** Closes every connection with 1001, waits briefly for them to go, and stops listening. */
    @Override
    public void close() {
        hub.shutdown(SHUTDOWN_GRACE);
        container.stop();
        Hubs.unbind(container);
        page.close();
    }
}

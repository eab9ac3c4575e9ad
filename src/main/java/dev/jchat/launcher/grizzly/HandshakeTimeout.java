package dev.jchat.launcher.grizzly;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;

/**
 * Closes a connection that is not a chat connection once it has gone {@link #DEFAULT} (or the
 * given timeout) since it was accepted or since the server last wrote to it: one that never sends
 * a whole request (a silent one, half a request line, a request dribbled a byte at a time), and an
 * HTTP keep-alive connection idle after its last answer. None of these counts towards
 * {@code CHAT_MAX_CONNECTIONS}, so without it anyone could hold sockets and threads' worth of
 * state forever. The clock is not restarted by what the peer sends, only by what the server
 * answers, so a request dribbled slowly gets no more than the timeout either.
 *
 * <p>Once a connection is upgraded to the chat, this leaves it alone: the chat's own idle timeout
 * ({@code CHAT_IDLE_TIMEOUT_SECONDS}) governs it. Grizzly's keep-alive idle timeout stays off on
 * the listener, since the chat's reads bypass the HTTP filter that would restart it.
 *
 * <p>A filter right after the transport's; one timer per connection, which reschedules itself
 * while the connection is not yet due. Thread-safe.
 */
public final class HandshakeTimeout extends BaseFilter implements AddOn {

    /** What the launcher gives a connection to become a chat connection, or between HTTP requests. */
    public static final Duration DEFAULT = Duration.ofSeconds(10);

    private static final System.Logger LOG = System.getLogger(HandshakeTimeout.class.getName());
    // Through Grizzly, not AttributeBuilder: this class may load first (for DEFAULT), and an
    // AttributeBuilder initialised before Grizzly leaves Grizzly's builder null.
    private static final Attribute<Clock> CLOCK =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(HandshakeTimeout.class.getName() + ".clock");

    /** When the server last answered on one connection (or accepted it), as {@link System#nanoTime()}. */
    private static final class Clock {
        volatile long since = System.nanoTime();
    }

    private final ScheduledExecutorService timers;
    private final long timeoutNanos;
    /** What Tyrus' filter sets on a connection it upgraded, or null where this Tyrus has no such attribute. */
    private final Attribute<?> tyrusConnection = tyrusConnection();

    HandshakeTimeout(ScheduledExecutorService timers, Duration timeout) {
        this.timers = timers;
        this.timeoutNanos = timeout.toNanos();
    }

    /**
     * Tyrus' filter's private {@code TYRUS_CONNECTION} attribute: a connection it upgraded has it.
     * Without it, a connection counts as upgraded once the chat watches its frames ({@link
     * FrameLimit#watched}), which holds wherever {@link GrizzlyConnections} reaches Tyrus' sessions.
     */
    private static Attribute<?> tyrusConnection() {
        try {
            Field field = Class.forName(FrameLimit.TYRUS_FILTER, true, HandshakeTimeout.class.getClassLoader())
                    .getDeclaredField("TYRUS_CONNECTION");
            field.setAccessible(true);
            return (Attribute<?>) field.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot tell the connections Tyrus upgraded (" + e + "): only chat"
                    + " connections whose frames the chat watches are safe from the handshake timeout");
            return null;
        }
    }

    @Override
    public void setup(NetworkListener listener, FilterChainBuilder builder) {
        builder.add(builder.indexOfType(TransportFilter.class) + 1, this);
    }

    @Override
    public NextAction handleAccept(FilterChainContext context) {
        Connection<?> connection = context.getConnection();
        CLOCK.set(connection, new Clock());
        check(connection, timeoutNanos);
        return context.getInvokeAction();
    }

    /** An answer going out: the connection's next request gets the whole timeout again. */
    @Override
    public NextAction handleWrite(FilterChainContext context) {
        Clock clock = CLOCK.get(context.getConnection());
        if (clock != null) {
            clock.since = System.nanoTime();
        }
        return context.getInvokeAction();
    }

    private void check(Connection<?> connection, long inNanos) {
        try {
            timers.schedule(() -> due(connection), inNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "no handshake timeout for a connection: the server is stopping");
        }
    }

    private void due(Connection<?> connection) {
        Clock clock = CLOCK.get(connection);
        if (!connection.isOpen() || clock == null || upgraded(connection)) {
            return;
        }
        long left = clock.since + timeoutNanos - System.nanoTime();
        if (left > 0) {
            check(connection, left);
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, "closing a connection from {0}: not a chat connection, and nothing answered within {1} s",
                connection.getPeerAddress(), TimeUnit.NANOSECONDS.toSeconds(timeoutNanos));
        connection.closeSilently();
    }

    private boolean upgraded(Connection<?> connection) {
        return FrameLimit.watched(connection) || tyrusConnection != null && tyrusConnection.isSet(connection);
    }
}

package dev.jchat.launcher.grizzly;

import java.io.IOException;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.attributes.AttributeBuilder;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;

/**
 * When each connection last read anything from its peer: every frame, WebSocket pings included,
 * which the chat itself never sees. The hub's idle check asks it, so that Tyrus needs no idle
 * timer per session. A filter right after the transport's; one write of a field per read.
 * Thread-safe.
 */
final class ReadClock extends BaseFilter implements AddOn {

    /** A connection's last read, as {@link System#nanoTime()}. */
    private static final class Stamp {
        volatile long at;
    }

    private static final Attribute<Stamp> LAST_READ =
            AttributeBuilder.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(ReadClock.class.getName() + ".lastRead");

    @Override
    public void setup(NetworkListener listener, FilterChainBuilder builder) {
        builder.add(builder.indexOfType(TransportFilter.class) + 1, this);
    }

    @Override
    public NextAction handleRead(FilterChainContext context) throws IOException {
        Connection<?> connection = context.getConnection();
        Stamp stamp = LAST_READ.get(connection);
        if (stamp == null) {
            stamp = new Stamp();
            LAST_READ.set(connection, stamp); // reads of one connection come one at a time
        }
        stamp.at = System.nanoTime();
        return context.getInvokeAction();
    }

    /** When {@code connection} last read, or {@link Long#MIN_VALUE} if it never did here. */
    static long lastRead(Connection<?> connection) {
        Stamp stamp = LAST_READ.get(connection);
        return stamp == null ? Long.MIN_VALUE : stamp.at;
    }
}

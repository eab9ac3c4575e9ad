package dev.jchat.launcher.grizzly;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.attributes.AttributeBuilder;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChain;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.memory.Buffers;

/**
 * The frame limit, checked on each WebSocket frame's header as its bytes arrive, before Tyrus
 * holds any of it: Tyrus buffers a frame whole, and closes one bigger than its buffer with 1011.
 * A frame that says it is longer than the limit never reaches Tyrus: its bytes are read and
 * dropped, and the connection is told (once) when its last byte is in, or after
 * {@link #LINGER} at the latest. It is closed then, not at once: closed while the peer still
 * writes, its close frame would lose the race against the reset the unread bytes cause.
 *
 * <p>What it lets through goes straight to Tyrus' filter, past Grizzly's HTTP filter. That one
 * carries an upgraded connection's bytes as the content of its upgrade request, so it keeps the
 * whole request (headers, their parsed chunks, the response) for as long as the connection
 * lives: about 11 KB of heap per connection. Past it, the request is let go once the handshake's
 * read is done. Where the chain has no Tyrus filter after this one, everything takes the usual way.
 *
 * <p>A filter right after the transport's and {@link ReadClock}; it looks at connections the chat
 * {@link #watch}es (once their upgrade is done: each read is then frame after frame) and leaves
 * the rest alone. Thread-safe: the reads of one connection come one at a time.
 */
final class FrameLimit extends BaseFilter implements AddOn {

    /** The longest a frame over the limit is read before its connection is told anyway. */
    static final Duration LINGER = Duration.ofSeconds(2);

    private static final System.Logger LOG = System.getLogger(FrameLimit.class.getName());
    private static final int MAX_HEADER = 14;
    private static final int UNKNOWN = -2;
    /** Tyrus' filter, which Tyrus does not make public. */
    static final String TYRUS_FILTER = "org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter";
    /** How much of a request head's end ({@code \r\n\r\n}) the last read of an unwatched connection ended with. */
    private static final Attribute<Integer> HEAD_END =
            AttributeBuilder.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(FrameLimit.class.getName() + ".headEnd");
    private static final Attribute<Watch> WATCH =
            AttributeBuilder.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(FrameLimit.class.getName() + ".watch");

    /** Where one watched connection's frames stand. */
    private static final class Watch {
        final long maxBytes;
        final Runnable tooBig;
        final AtomicBoolean told = new AtomicBoolean();
        final byte[] header = new byte[MAX_HEADER];
        int headerHave;      // bytes of the next frame's header read so far
        long payloadLeft;    // bytes of the current frame's payload still to come
        boolean dropping;    // the current frame is over the limit: its payload goes nowhere
        boolean pastHttp;    // the HTTP filter let go of its upgrade request: its reads go past it

        Watch(long maxBytes, Runnable tooBig) {
            this.maxBytes = maxBytes;
            this.tooBig = tooBig;
        }

        void tell() {
            if (told.compareAndSet(false, true)) {
                tooBig.run();
            }
        }
    }

    private final ScheduledExecutorService timers;
    /** Where Tyrus' filter is in the chain: {@link #UNKNOWN} until the first read, -1 if nowhere after this one. */
    private volatile int tyrusAt = UNKNOWN;

    FrameLimit(ScheduledExecutorService timers) {
        this.timers = timers;
    }

    /**
     * From now on, frames of {@code connection} longer than {@code maxBytes} are dropped and
     * {@code tooBig} runs, once. Called as the WebSocket session opens, before its next read.
     */
    static void watch(Connection<?> connection, long maxBytes, Runnable tooBig) {
        WATCH.set(connection, new Watch(maxBytes, tooBig));
    }

    /** Whether the chat watches {@code connection}: a chat session opened on it. */
    static boolean watched(Connection<?> connection) {
        return WATCH.get(connection) != null;
    }

    @Override
    public void setup(NetworkListener listener, FilterChainBuilder builder) {
        // after ReadClock, which then counts every read, dropped or not
        builder.add(Math.max(builder.indexOfType(TransportFilter.class), builder.indexOfType(ReadClock.class)) + 1, this);
    }

    @Override
    public NextAction handleRead(FilterChainContext context) {
        Watch watch = WATCH.get(context.getConnection());
        if (watch == null) {
            if (tyrusFilter(context) < 0) {
                return context.getInvokeAction();
            }
            context.addCompletionListener(LET_GO_OF_HTTP); // this read may be the handshake of one
            return untilHeadEnds(context);
        }
        Buffer in = context.getMessage();
        int start = in.position();
        int end = in.limit();
        Kept kept = watch.dropping ? new Kept(start, false) : null; // null while all of this read goes on
        int carried = watch.headerHave; // bytes of a header begun in an earlier read, held back until it is whole
        int headerFrom = start;         // where the header under way begins in this read
        int at = start;
        while (at < end) {
            if (watch.payloadLeft > 0) {
                int n = (int) Math.min(watch.payloadLeft, end - at);
                at += n;
                watch.payloadLeft -= n;
                if (watch.payloadLeft == 0 && watch.dropping) {
                    watch.dropping = false;
                    kept.resume(at); // (set when the dropping began)
                    watch.tell(); // all of it is in: the close frame goes to a peer that reads
                }
                continue;
            }
            if (watch.headerHave == 0) {
                headerFrom = at;
            }
            watch.header[watch.headerHave++] = in.get(at++);
            long length = frameLength(watch.header, watch.headerHave);
            if (length < 0) {
                continue; // the header is not whole yet
            }
            if (length > watch.maxBytes) {
                watch.dropping = true;
                kept = kept != null ? kept : new Kept(start, true);
                kept.cut(headerFrom); // its header goes too, with what an earlier read had of it
                timers.schedule(watch::tell, LINGER.toMillis(), TimeUnit.MILLISECONDS);
            } else if (carried > 0) {
                kept = new Kept(start, true); // a header split over reads: the first thing in this one
                kept.first(Arrays.copyOf(watch.header, carried));
            }
            watch.headerHave = 0;
            watch.payloadLeft = length;
            carried = 0;
        }
        if (watch.headerHave > 0) {
            kept = kept != null ? kept : new Kept(start, true);
            kept.cut(headerFrom); // a header not whole yet waits for the next read
        }
        Buffer passed = kept == null ? in : kept.pass(context, in, end);
        return passed == null ? context.getStopAction() : toTyrus(context, watch, passed);
    }

    /**
     * Before a connection is watched: hands on the bytes up to the end of a request's head, and
     * keeps the rest of the read for a second pass through this filter, once that request is
     * handled. A client may write frames in the same packet as its upgrade request; handled in one
     * pass they would reach Tyrus unchecked, and the limit would then start counting mid-frame.
     * After the upgrade's pass the connection is watched, and the rest is counted from its first
     * byte. What follows the head of any other request (its body, or the next request) takes the
     * usual way in the second pass.
     */
    private static NextAction untilHeadEnds(FilterChainContext context) {
        Buffer in = context.getMessage();
        Connection<?> connection = context.getConnection();
        Integer matched = HEAD_END.get(connection);
        int m = matched == null ? 0 : matched;
        int end = in.limit();
        for (int at = in.position(); at < end; at++) {
            byte b = in.get(at);
            m = b == (m % 2 == 0 ? '\r' : '\n') ? m + 1 : b == '\r' ? 1 : 0;
            if (m == 4) {
                HEAD_END.remove(connection);
                if (at + 1 == end || hasBody(in, at)) {
                    // A request with a body (the HTTP API's) is no handshake: its body goes on with its
                    // head, since a remainder handed back here is lost once its handler suspends.
                    return context.getInvokeAction();
                }
                Buffer rest = in.split(at + 1); // in keeps the head; rest comes back to this filter
                return context.getInvokeAction(rest, null);
            }
        }
        HEAD_END.set(connection, m); // a head split over reads: where the end's search stands
        return context.getInvokeAction();
    }

    /**
     * Once a read is done with: if it opened a chat session (the handshake read, whose upgrade
     * request the HTTP filter keeps), that connection's reads will not reach the HTTP filter again,
     * so the request goes.
     */
    /**
     * Whether the head in this read, up to {@code end}, says a body follows ({@code Content-Length}
     * or {@code Transfer-Encoding}); a head begun in an earlier read is only seen from here.
     */
    private static boolean hasBody(Buffer in, int end) {
        StringBuilder head = new StringBuilder(end - in.position());
        for (int at = in.position(); at < end; at++) {
            head.append((char) (in.get(at) & 0xff));
        }
        String lower = head.toString().toLowerCase(java.util.Locale.ROOT);
        String length = "\ncontent-length:";
        int at = lower.indexOf(length);
        if (at >= 0) {
            int lineEnd = lower.indexOf('\n', at + 1);
            return !lower.substring(at + length.length(), lineEnd < 0 ? lower.length() : lineEnd).strip().equals("0");
        }
        return lower.contains("\ntransfer-encoding:");
    }

    private static final FilterChainContext.CompletionListener LET_GO_OF_HTTP = context -> {
        Connection<?> connection = context.getConnection();
        Watch watch = WATCH.get(connection);
        if (watch != null && !watch.pastHttp) {
            watch.pastHttp = true;
            connection.getAttributes().removeAttribute(HttpServerFilter.HTTP_SERVER_REQUEST_ATTR_NAME);
        }
    };

    /** Hands {@code bytes} on to Tyrus' filter, past the HTTP filter (see the class comment). */
    private NextAction toTyrus(FilterChainContext context, Watch watch, Buffer bytes) {
        int tyrus = tyrusFilter(context);
        if (tyrus < 0) {
            context.setMessage(bytes);
            return context.getInvokeAction();
        }
        // What the HTTP filter would have made of it: the upgrade request's content. Tyrus takes
        // the bytes and recycles the wrapper; it reads no header once the connection is upgraded.
        context.setMessage(HttpContent.create(null, false, bytes));
        context.setFilterIdx(tyrus - 1); // the chain goes on with the filter after this index
        return context.getInvokeAction();
    }

    private int tyrusFilter(FilterChainContext context) {
        int at = tyrusAt;
        if (at == UNKNOWN) {
            at = -1;
            FilterChain chain = context.getFilterChain();
            for (int i = chain.size() - 1; i > context.getFilterIdx(); i--) {
                if (chain.get(i).getClass().getName().equals(TYRUS_FILTER)) {
                    at = i;
                }
            }
            if (at < 0) {
                LOG.log(System.Logger.Level.WARNING, "no Tyrus filter after the frame limit: upgraded connections"
                        + " keep their HTTP request state (about 11 KB each)");
            }
            tyrusAt = at;
        }
        return at;
    }

    /**
     * What of one read goes on to Tyrus, in order: header bytes held back from an earlier read,
     * then runs of this read's bytes. Most reads pass as they are.
     */
    private static final class Kept {
        private final List<int[]> runs = new ArrayList<>(2);
        private byte[] first;
        private int from; // where the run under way began, or -1 while bytes are dropped

        Kept(int start, boolean keeping) {
            from = keeping ? start : -1;
        }

        void cut(int at) {
            if (from >= 0 && at > from) {
                runs.add(new int[] {from, at});
            }
            from = -1;
        }

        void resume(int at) {
            from = at;
        }

        void first(byte[] bytes) {
            first = bytes;
        }

        /** What goes on to Tyrus of this read, or null when nothing does. */
        Buffer pass(FilterChainContext context, Buffer in, int end) {
            cut(end);
            int start = in.position();
            if (first == null && runs.size() == 1 && runs.get(0)[0] == start) {
                in.limit(runs.get(0)[1]); // all of it, or all but a header not whole yet
                return in;
            }
            int size = first == null ? 0 : first.length;
            for (int[] run : runs) {
                size += run[1] - run[0];
            }
            if (size == 0) {
                in.tryDispose();
                return null; // nothing for Tyrus in this read
            }
            byte[] bytes = new byte[size];
            int n = 0;
            if (first != null) {
                System.arraycopy(first, 0, bytes, 0, first.length);
                n = first.length;
            }
            for (int[] run : runs) {
                in.position(run[0]);
                in.get(bytes, n, run[1] - run[0]);
                n += run[1] - run[0];
            }
            in.tryDispose();
            return Buffers.wrap(context.getMemoryManager(), bytes);
        }
    }

    /**
     * The payload length of a frame whose first {@code have} header bytes are given, once they
     * are all there (RFC 6455, 5.2); -1 before. A length that does not fit in 63 bits is
     * {@link Long#MAX_VALUE}: over any limit.
     */
    static long frameLength(byte[] header, int have) {
        if (have < 2) {
            return -1;
        }
        int length7 = header[1] & 0x7f;
        int extra = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        int mask = (header[1] & 0x80) != 0 ? 4 : 0;
        if (have < 2 + extra + mask) {
            return -1;
        }
        if (extra == 0) {
            return length7;
        }
        long length = 0;
        for (int i = 0; i < extra; i++) {
            length = length << 8 | header[2 + i] & 0xff;
        }
        return length < 0 ? Long.MAX_VALUE : length;
    }
}

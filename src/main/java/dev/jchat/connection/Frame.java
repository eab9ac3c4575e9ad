package dev.jchat.connection;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One encoded frame on its way out, shared by every connection it goes to: a broadcast is
 * encoded and measured once, and, for a container that takes them, framed once
 * ({@link #wire()}). Immutable but for that lazily made copy. A frame kept in a room's history
 * keeps no such copy ({@link #withoutWireCache()}): it would double what the history holds.
 */
public final class Frame {

    private final String json;
    private final int bytes;
    private final long queuedAt;
    private final boolean cacheWire;
    private volatile ByteBuffer wire; // made on first use; two threads may both make it, to the same bytes

    /**
     * @param json     the text sent
     * @param bytes    its size in UTF-8, what it costs a connection's outbound limit
     * @param queuedAt {@link System#nanoTime()} when it was made, the start of its send timeout
     */
    public Frame(String json, int bytes, long queuedAt) {
        this(json, bytes, queuedAt, true);
    }

    private Frame(String json, int bytes, long queuedAt, boolean cacheWire) {
        this.json = json;
        this.bytes = bytes;
        this.queuedAt = queuedAt;
        this.cacheWire = cacheWire;
    }

    /**
     * The same frame, sharing its text, that never keeps its wire copy: what a history holds, so
     * that a message costs its text once. A connection it is replayed to frames it for itself.
     */
    public Frame withoutWireCache() {
        return cacheWire ? new Frame(json, bytes, queuedAt, false) : this;
    }

    public String json() {
        return json;
    }

    public int bytes() {
        return bytes;
    }

    public long queuedAt() {
        return queuedAt;
    }

    /**
     * The whole WebSocket frame a server sends for this text (RFC 6455: final, text, unmasked),
     * as a buffer of its own for one send, sharing the bytes made once for every recipient.
     */
    public ByteBuffer wire() {
        ByteBuffer made = wire;
        if (made == null) {
            byte[] payload = json.getBytes(StandardCharsets.UTF_8);
            int length = payload.length;
            int header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
            ByteBuffer frame = ByteBuffer.allocate(header + length);
            frame.put((byte) 0x81);
            if (length < 126) {
                frame.put((byte) length);
            } else if (length < 65_536) {
                frame.put((byte) 126).putShort((short) length);
            } else {
                frame.put((byte) 127).putLong(length);
            }
            frame.put(payload).flip();
            made = frame.asReadOnlyBuffer();
            if (cacheWire) {
                wire = made;
            }
        }
        return made.duplicate();
    }

    /** A frame made now. */
    public static Frame of(String json) {
        return of(json, System.nanoTime());
    }

    public static Frame of(String json, long now) {
        return new Frame(json, utf8Length(json), now);
    }

    /**
     * The UTF-8 size of well-formed text; an unpaired surrogate counts as the 3 bytes of its
     * replacement.
     */
    public static int utf8Length(CharSequence text) {
        int bytes = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}

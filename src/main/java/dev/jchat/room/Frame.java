package dev.jchat.room;

/**
 * One encoded frame on its way out, shared by every connection it goes to: a broadcast is
 * encoded and measured once. Immutable.
 *
 * @param json     the text sent
 * @param bytes    its size in UTF-8, what it costs a connection's outbound limit
 * @param queuedAt {@link System#nanoTime()} when it was made, the start of its send timeout
 */
public record Frame(String json, int bytes, long queuedAt) {

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

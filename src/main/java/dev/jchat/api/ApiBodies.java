package dev.jchat.api;

import java.io.IOException;
import java.io.InputStream;

/** Reading a request's body for {@link ApiAnswers}, the same way on every runtime. Stateless. */
public final class ApiBodies {

    private ApiBodies() {
    }

    /**
     * The body's bytes, at most {@link ApiAnswers#MAX_BODY_BYTES} + 1: one byte more than allowed is
     * enough to refuse it with 413, and the rest is never held in memory. Only the body the request
     * says it has is read (Grizzly's stream waits for more instead of ending after it).
     *
     * @param contentLength the request's {@code Content-Length}, or -1 when it has none
     * @param chunked       whether it comes in chunks ({@code Transfer-Encoding: chunked})
     */
    public static byte[] read(InputStream in, long contentLength, boolean chunked) throws IOException {
        if (contentLength > ApiAnswers.MAX_BODY_BYTES) {
            return new byte[ApiAnswers.MAX_BODY_BYTES + 1]; // refused unread
        }
        if (contentLength >= 0) { // exactly that much: Grizzly's stream does not end with the body, it waits for more
            return in.readNBytes((int) contentLength);
        }
        return chunked ? in.readNBytes(ApiAnswers.MAX_BODY_BYTES + 1) : new byte[0];
    }

    /** Whether a {@code Transfer-Encoding} header says chunks. */
    public static boolean chunked(String transferEncoding) {
        return transferEncoding != null && transferEncoding.toLowerCase(java.util.Locale.ROOT).contains("chunked");
    }
}

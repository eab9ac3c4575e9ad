package dev.jchat.api;

import java.io.IOException;
import java.io.InputStream;

/** Reading a request's body for {@link ApiAnswers}, the same way on every runtime. Stateless. */
public final class ApiBodies {

    private ApiBodies() {
    }

    /**
     * The body's bytes, at most {@link ApiAnswers#MAX_BODY_BYTES} + 1: one byte more than allowed is
     * enough to refuse it with 413, and the rest is never held in memory.
     */
    public static byte[] read(InputStream in) throws IOException {
        return in.readNBytes(ApiAnswers.MAX_BODY_BYTES + 1);
    }
}

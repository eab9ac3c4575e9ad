package dev.jchat.connection;

import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.util.List;

/** How an outbox hands frames to its session: one at a time, or several in one write. */
@FunctionalInterface
public interface FrameWriter {

    /**
     * Sends {@code frames} whole, in order, at most {@link #batch()} of them; {@code done} is
     * called once for them all, on any thread, maybe before this returns. May throw, as a
     * container's send may.
     */
    void send(List<Frame> frames, SendHandler done);

    /** How many waiting frames one send may take. */
    default int batch() {
        return 1;
    }

    /** The WebSocket API's way, on every container: the text, which the container encodes and frames per session. */
    static FrameWriter portable(Session session) {
        return (frames, done) -> session.getAsyncRemote().sendText(frames.get(0).json(), done);
    }
}

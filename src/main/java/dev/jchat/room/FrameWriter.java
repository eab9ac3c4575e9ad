package dev.jchat.room;

import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;

/** How an outbox hands one frame to its session. */
@FunctionalInterface
public interface FrameWriter {

    /**
     * Sends {@code frame} whole; {@code done} is called once, on any thread, maybe before this
     * returns. May throw, as a container's send may.
     */
    void send(Frame frame, SendHandler done);

    /** The WebSocket API's way, on every container: the text, which the container encodes and frames per session. */
    static FrameWriter portable(Session session) {
        return (frame, done) -> session.getAsyncRemote().sendText(frame.json(), done);
    }
}

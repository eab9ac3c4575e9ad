package dev.jchat.message;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.websocket.Encoder;

/**
 * JSON-B encoder for every frame the server sends. Thread-safe: one {@link Jsonb} serves all.
 * Broadcasts are encoded once with {@link #toJson} and the same text goes to every recipient.
 */
public final class FrameEncoder implements Encoder.Text<ServerFrame> {

    private static final Jsonb JSONB = JsonbBuilder.create();

    /** Encodes one frame, its {@code type} included. */
    public static String toJson(ServerFrame frame) {
        // The runtime type, not ServerFrame.class: Yasson writes an empty object for the interface type.
        return JSONB.toJson(frame);
    }

    @Override
    public String encode(ServerFrame frame) {
        return toJson(frame);
    }
}

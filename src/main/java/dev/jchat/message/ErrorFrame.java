package dev.jchat.message;

import java.time.Instant;

/**
 * Tells one connection why its frame or handshake was refused.
 *
 * @param until  version 3: when a mute or ban ends ({@code muted}, {@code banned}), or null
 * @param reason version 3: the moderator's reason ({@code banned}, {@code kicked}), or null
 * @param room the room the refusal concerns (version 3: a frame or a subscription about a room), or
 *             null (absent on the wire)
 */
public record ErrorFrame(String code, String msg, String room, Instant until, String reason) implements ServerFrame {

    public static ErrorFrame of(ErrorCode code, String msg) {
        return new ErrorFrame(code.wire(), msg, null, null, null);
    }

    public static ErrorFrame of(ErrorCode code, String msg, String room) {
        return new ErrorFrame(code.wire(), msg, room, null, null);
    }
}

package dev.jchat.message;

/**
 * Tells one connection why its frame or handshake was refused.
 *
 * @param room the room the refusal concerns (version 3: a frame or a subscription about a room), or
 *             null (absent on the wire)
 */
public record ErrorFrame(String code, String msg, String room) implements ServerFrame {

    public static ErrorFrame of(ErrorCode code, String msg) {
        return new ErrorFrame(code.wire(), msg, null);
    }

    public static ErrorFrame of(ErrorCode code, String msg, String room) {
        return new ErrorFrame(code.wire(), msg, room);
    }
}

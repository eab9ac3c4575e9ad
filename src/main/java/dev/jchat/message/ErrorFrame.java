package dev.jchat.message;

/** Tells one connection why its frame or handshake was refused. */
public record ErrorFrame(String code, String msg) implements ServerFrame {

    public static ErrorFrame of(ErrorCode code, String msg) {
        return new ErrorFrame(code.wire(), msg);
    }
}

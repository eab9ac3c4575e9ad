package dev.jchat.message;

import jakarta.websocket.DecodeException;

/** A frame the decoder refused, with the protocol error code to answer it with. */
public final class InvalidFrameException extends DecodeException {

    private final ErrorCode code;

    public InvalidFrameException(String frame, ErrorCode code, String message) {
        super(frame, message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}

package dev.jchat.security;

import dev.jchat.message.ErrorCode;

/** Input that breaks a rule: carries the protocol error code and a message fit to show the user. */
public final class RefusedException extends Exception {

    private final ErrorCode code;

    public RefusedException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}

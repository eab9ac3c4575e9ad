package dev.jchat.message;

/** The {@code code} values of error frames, as PROTOCOL.md lists them. */
public enum ErrorCode {
    INVALID_JSON("invalid-json"),
    INVALID_MESSAGE("invalid-message"),
    EMPTY_MESSAGE("empty-message"),
    MESSAGE_TOO_LONG("message-too-long"),
    INVALID_USER("invalid-user"),
    INVALID_QUERY("invalid-query"),
    RATE_LIMITED("rate-limited"),
    UNAUTHORIZED("unauthorized"),
    SERVER_FULL("server-full");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    /** The code as it appears on the wire. */
    public String wire() {
        return wire;
    }
}

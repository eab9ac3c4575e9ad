package dev.jchat.message;

import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;

/** The {@code code} values of error frames, as PROTOCOL.md lists them. */
public enum ErrorCode {
    INVALID_JSON("invalid-json", CloseCodes.VIOLATED_POLICY),
    INVALID_MESSAGE("invalid-message", CloseCodes.VIOLATED_POLICY),
    EMPTY_MESSAGE("empty-message", CloseCodes.VIOLATED_POLICY),
    MESSAGE_TOO_LONG("message-too-long", CloseCodes.VIOLATED_POLICY),
    INVALID_USER("invalid-user", CloseCodes.VIOLATED_POLICY),
    INVALID_QUERY("invalid-query", CloseCodes.VIOLATED_POLICY),
    RATE_LIMITED("rate-limited", CloseCodes.VIOLATED_POLICY),
    UNAUTHORIZED("unauthorized", CloseCodes.VIOLATED_POLICY),
    SERVER_FULL("server-full", CloseCodes.TRY_AGAIN_LATER),
    ROOM_LIMIT("room-limit", CloseCodes.TRY_AGAIN_LATER),
    UNAVAILABLE("unavailable", CloseCodes.TRY_AGAIN_LATER),
    NAME_TAKEN("name-taken", CloseCodes.VIOLATED_POLICY),
    FORBIDDEN("forbidden", CloseCodes.VIOLATED_POLICY),
    UNKNOWN_USER("unknown-user", CloseCodes.VIOLATED_POLICY),
    NOT_SUBSCRIBED("not-subscribed", CloseCodes.VIOLATED_POLICY),
    ALREADY_SUBSCRIBED("already-subscribed", CloseCodes.VIOLATED_POLICY),
    TOO_MANY_ROOMS("too-many-rooms", CloseCodes.VIOLATED_POLICY),
    NOT_FOUND("not-found", CloseCodes.VIOLATED_POLICY),
    MUTED("muted", CloseCodes.VIOLATED_POLICY),
    BANNED("banned", CloseCodes.VIOLATED_POLICY),
    KICKED("kicked", CloseCodes.VIOLATED_POLICY),
    /** The application's publish hook refused the message: the connection stays open. */
    REJECTED("rejected", CloseCodes.VIOLATED_POLICY),
    /** Version 3: the connection's token ran out without an {@code auth} refresh; 4001 tells the client to fetch one. */
    TOKEN_EXPIRED("token-expired", CloseCodes.getCloseCode(4001));

    private final String wire;
    private final CloseReason.CloseCode closeCode;

    ErrorCode(String wire, CloseReason.CloseCode closeCode) {
        this.wire = wire;
        this.closeCode = closeCode;
    }

    /** The code as it appears on the wire. */
    public String wire() {
        return wire;
    }

    /**
     * How a connection refused for this reason is closed: 1013 when a later try may succeed,
     * 1008 when it cannot; the reason text is the code itself.
     */
    public CloseReason closeReason() {
        return new CloseReason(closeCode, wire);
    }
}

package dev.jchat.logging;

/**
 * A named value in a log line, passed as a parameter: the text shows only its value where the
 * message places it ({@code "session {0} closed"}), and a JSON line carries it as a key of its own
 * ({@code "connection":"17"}), placed or not. Never client text, a token or a key. Immutable.
 */
public record Field(String name, Object value) {

    public static Field of(String name, Object value) {
        return new Field(name, value);
    }

    /** The connection's session id. */
    public static Field connection(String sessionId) {
        return new Field("connection", sessionId);
    }

    /** A room's name: chosen by clients, so only ever as a field or made printable. */
    public static Field room(String room) {
        return new Field("room", LogText.printable(room));
    }

    /** A WebSocket close code. */
    public static Field closeCode(int code) {
        return new Field("close_code", code);
    }

    @Override
    public String toString() {
        return String.valueOf(value);
    }
}

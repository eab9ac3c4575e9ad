package dev.jchat.message;

/** A frame a client sent, as decoded; immutable. */
public sealed interface ClientFrame {

    /**
     * A chat message. Client values of {@code id} and {@code dateTime} are dropped by the decoder.
     *
     * @param msg  the text, untrimmed
     * @param user the name the client claims, or null; only ever used to name an unnamed connection
     */
    record Chat(String msg, String user) implements ClientFrame {
    }

    /** Asks for a {@code pong}. */
    record Ping() implements ClientFrame {
    }

    /** Tells the others in the room that this name is typing. */
    record Typing() implements ClientFrame {
    }

    /**
     * Asks for older messages of the room.
     *
     * @param before answer messages with a lower id, or null for the newest
     * @param limit  at most this many, 1 to {@link #MAX_LIMIT}
     */
    record History(Long before, int limit) implements ClientFrame {

        public static final int DEFAULT_LIMIT = 50;
        public static final int MAX_LIMIT = 100;
    }

    /** Asks for the room directory. */
    record Rooms() implements ClientFrame {
    }
}

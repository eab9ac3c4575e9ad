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
}

package dev.jchat.message;

/**
 * A frame a client sent, as decoded; immutable. Frames about a room carry the {@code room} the
 * client named (version 3), or null for the connection's first room.
 */
public sealed interface ClientFrame {

    /** A frame that acts on one room. */
    sealed interface AboutRoom extends ClientFrame {
        /** The room the client named, unchecked, or null for its first room. */
        String room();
    }

    /**
     * A chat message. Client values of {@code id} and {@code dateTime} are dropped by the decoder.
     *
     * @param msg  the text, untrimmed
     * @param user the name the client claims, or null; only ever used to name an unnamed connection
     */
    record Chat(String msg, String user, String room) implements AboutRoom {
    }

    /** Asks for a {@code pong}. */
    record Ping() implements ClientFrame {
    }

    /** Tells the others in the room that this name is typing. */
    record Typing(String room) implements AboutRoom {
    }

    /**
     * Asks for older messages of the room.
     *
     * @param before answer messages with a lower id, or null for the newest
     * @param limit  at most this many, 1 to {@link #MAX_LIMIT}
     */
    record History(Long before, int limit, String room) implements AboutRoom {

        public static final int DEFAULT_LIMIT = 50;
        public static final int MAX_LIMIT = 100;
    }

    /** Asks for the room directory. */
    record Rooms() implements ClientFrame {
    }

    /**
     * Version 3: adds a room to the connection.
     *
     * @param room  the room, unchecked (a direct conversation as {@code @NAME} or {@code @A+B})
     * @param since the last message id the client saw in it, or null
     * @param epoch the epoch of {@code since}, or null
     */
    record Subscribe(String room, Long since, String epoch) implements ClientFrame {
    }

    /**
     * Version 3: takes a room off the connection.
     *
     * @param forget the room also leaves the name's "my rooms"
     */
    record Unsubscribe(String room, boolean forget) implements ClientFrame {
    }

    /** Version 3: new text for a chat message of the room, by its author. */
    record Edit(long id, String msg, String room) implements AboutRoom {
    }

    /** Version 3: takes a chat message of the room back (its author, or a moderator). */
    record Delete(long id, String room) implements AboutRoom {
    }

    /** Version 3: sets ({@code on}) or clears an emoji on a chat message of the room. */
    record React(long id, String emoji, boolean on, String room) implements AboutRoom {
    }

    /**
     * Version 3: a moderator mutes, bans or kicks a name in the room.
     *
     * @param action  {@code mute}, {@code ban} or {@code kick}
     * @param seconds how long a mute or ban lasts (0 lifts it; null: until lifted); null for a kick
     * @param reason  the moderator's reason, or null
     */
    record Moderate(String action, String user, Long seconds, String reason, String room) implements AboutRoom {

        /** The longest mute or ban, in seconds: ten years. */
        public static final long MAX_SECONDS = 10L * 366 * 24 * 3600;
        /** The longest reason, in code points. */
        public static final int MAX_REASON = 200;
    }

    /** Version 3: the connection's name has read the room up to {@code id}. */
    record Read(long id, String room) implements AboutRoom {
    }

    /** Version 3: asks for the name's rooms ({@code {"type":"rooms","mine":true}}). */
    /** Version 3: a new token for the connection, for the same name, before the one it has runs out. Never logged. */
    record Auth(String token) implements ClientFrame {

        @Override
        public String toString() {
            return "Auth[token=(hidden)]";
        }
    }

    record Mine() implements ClientFrame {
    }
}

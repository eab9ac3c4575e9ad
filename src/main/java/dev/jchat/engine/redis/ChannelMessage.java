package dev.jchat.engine.redis;

import java.util.ArrayList;
import java.util.List;

/**
 * What goes over the engine's channels: the one definition of their format, for the side that
 * writes them (the Lua scripts, and this server for typing and notices) and the side that reads
 * them ({@link Channels}, {@link RedisRoom}). A change here is a change of the scripts that
 * write the same text, named below; {@code ChannelMessageTest} reads what they publish.
 *
 * <p>On a room's channel ({@link RedisKeys#channel}):
 * <ul>
 *   <li>{@code m <epoch> <id> <frame>}: an entry of the room's log, any kind: a chat message, an
 *       edit, a deletion, a reaction ({@code publish.lua}); {@code m <epoch> 0 }
 *       with no frame: a direct conversation started over under that epoch ({@code owners.lua});
 *   <li>{@code e <epoch>}: the room goes on in a new epoch ({@code load.lua}, {@code publish.lua});
 *   <li>{@code p <version>} then a line {@code +name} or {@code -name} per change: presence
 *       ({@code presence.lua});
 *   <li>{@code t <name>}: the name is typing ({@link RoomCalls#typing}).
 * </ul>
 * On the notices channel ({@link RedisKeys#notices}): {@code <name>\n<room>\n<notice frame>}
 * ({@link Notice}), and {@code !<server>\n<name>\n<frame>} for every version-3 connection of a
 * name but on the server that sent it ({@link Tell}: a read position's echo, {@code seen}; a name
 * never starts with {@code !}); {@code ?<request>\n<name>\n<reason>}, the HTTP API's disconnect
 * for every server ({@link Disconnect}), and {@code =<request>\n<count>}, a server's answer to it
 * ({@link Closed}); a name never starts with {@code ?} or {@code =} either; and
 * {@code ~<name>\n<version>\n<1|0>}, whether a name is online anywhere ({@link Online},
 * {@link RedisPeers}; nor with {@code ~}). Immutable.
 */
sealed interface ChannelMessage {

    /** The text published. */
    String text();

    /**
     * An entry of the log (a chat message or any other) numbered {@code id} in {@code epoch}; id 0
     * and an empty frame: the room started over.
     */
    record Chat(String epoch, long id, String frame) implements ChannelMessage {
        @Override
        public String text() {
            return "m " + epoch + " " + id + " " + frame;
        }
    }

    /** The room goes on in a new epoch. */
    record Epoch(String epoch) implements ChannelMessage {
        @Override
        public String text() {
            return "e " + epoch;
        }
    }

    /** Names that came online anywhere and names gone everywhere, as of presence version {@code version}. */
    record Presence(long version, List<String> came, List<String> left) implements ChannelMessage {
        @Override
        public String text() {
            StringBuilder text = new StringBuilder("p ").append(version);
            came.forEach(name -> text.append("\n+").append(name));
            left.forEach(name -> text.append("\n-").append(name));
            return text.toString();
        }
    }

    /** A name is typing. */
    record Typing(String user) implements ChannelMessage {
        @Override
        public String text() {
            return "t " + user;
        }
    }

    /**
     * The message on a room's channel, or null for a kind this server does not know (written by a
     * newer one); throws if a known kind is malformed.
     */
    static ChannelMessage parse(String message) {
        if (message.startsWith("m ")) {
            int afterEpoch = message.indexOf(' ', 2);
            int afterId = message.indexOf(' ', afterEpoch + 1);
            return new Chat(message.substring(2, afterEpoch), Long.parseLong(message.substring(afterEpoch + 1, afterId)),
                    message.substring(afterId + 1));
        } else if (message.startsWith("e ")) {
            return new Epoch(message.substring(2));
        } else if (message.startsWith("t ")) {
            return new Typing(message.substring(2));
        } else if (message.startsWith("p ")) {
            String[] lines = message.split("\n");
            List<String> came = new ArrayList<>();
            List<String> left = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                (lines[i].startsWith("+") ? came : left).add(lines[i].substring(1));
            }
            return new Presence(Long.parseLong(lines[0].substring(2)), came, left);
        }
        return null;
    }

    /** On the notices channel: a message in a direct conversation, for {@code user}'s connections on every server. */
    record Notice(String user, String room, String frame) {

        String text() {
            return user + "\n" + room + "\n" + frame;
        }

        /** The notice, or null when the message is not one. */
        static Notice parse(String message) {
            String[] parts = message.split("\n", 3);
            return parts.length == 3 ? new Notice(parts[0], parts[1], parts[2]) : null;
        }
    }

    /**
     * On the notices channel: a frame for every version-3 connection of {@code user}'s own name, on
     * every server but {@code origin} (the sending server, which told its own connections itself).
     */
    record Tell(String origin, String user, String frame) {

        String text() {
            return "!" + origin + "\n" + user + "\n" + frame;
        }

        /** The frame to tell, or null when the message is not one. */
        static Tell parse(String message) {
            if (!message.startsWith("!")) {
                return null;
            }
            String[] parts = message.substring(1).split("\n", 3);
            return parts.length == 3 ? new Tell(parts[0], parts[1], parts[2]) : null;
        }
    }

    /** On the notices channel: every server closes {@code user}'s connections ({@link Disconnects}). */
    record Disconnect(String request, String user, String reason) {

        String text() {
            return "?" + request + "\n" + user + "\n" + reason;
        }

        /** The request, or null when the message is not one. */
        static Disconnect parse(String message) {
            if (!message.startsWith("?")) {
                return null;
            }
            String[] parts = message.substring(1).split("\n", 3);
            return parts.length == 3 ? new Disconnect(parts[0], parts[1], parts[2]) : null;
        }
    }

    /** On the notices channel: how many connections a server closed for a {@link Disconnect}. */
    record Closed(String request, int closed) {

        String text() {
            return "=" + request + "\n" + closed;
        }

        /** The answer, or null when the message is not one. */
        static Closed parse(String message) {
            if (!message.startsWith("=")) {
                return null;
            }
            String[] parts = message.substring(1).split("\n", 2);
            return parts.length == 2 ? new Closed(parts[0], Integer.parseInt(parts[1])) : null;
        }
    }

    /** On the notices channel: whether {@code user} is online anywhere, as of {@code version} ({@link RedisPeers}). */
    record Online(String user, long version, boolean online) {

        String text() {
            return "~" + user + "\n" + version + "\n" + (online ? "1" : "0");
        }

        /** The state, or null when the message is not one. */
        static Online parse(String message) {
            if (!message.startsWith("~")) {
                return null;
            }
            String[] parts = message.substring(1).split("\n", 3);
            return parts.length == 3 ? new Online(parts[0], Long.parseLong(parts[1]), parts[2].equals("1")) : null;
        }
    }
}

package dev.jchat.message;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.websocket.Encoder;
import java.util.List;

/**
 * JSON-B encoder for every frame the server sends. Thread-safe: one {@link Jsonb} serves all.
 * Broadcasts are encoded once with {@link #toJson} and the same text goes to every recipient.
 */
public final class FrameEncoder implements Encoder.Text<ServerFrame> {

    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final long ID_MARK = 7_321_097_531_246_801L;

    /** Encodes one frame, its {@code type} included. */
    public static String toJson(ServerFrame frame) {
        // The runtime type, not ServerFrame.class: Yasson writes an empty object for the interface type.
        return JSONB.toJson(frame);
    }

    /**
     * A chat message encoded around its id, for an engine that numbers it elsewhere: the text
     * before the id's digits and the text after them.
     */
    public static String[] chatAroundId(ChatMessage message) {
        return aroundId(toJson(message.withId(ID_MARK)));
    }

    /** A log entry encoded around its id, as {@link #chatAroundId}. */
    public static String[] entryAroundId(LogEntry entry) {
        return aroundId(toJson(entry.withId(ID_MARK)));
    }

    private static String[] aroundId(String json) {
        // Inside a JSON string every quote is escaped, so a quote right after { or , starts a key:
        // a message text that looks like the id is never taken for it.
        String key = "\"id\":" + ID_MARK;
        int at = json.startsWith("{" + key) ? 1 : json.indexOf("," + key) + 1;
        if (at == 0) {
            throw new IllegalStateException("no id in the encoded frame");
        }
        int digits = at + key.length() - Long.toString(ID_MARK).length();
        return new String[] {json.substring(0, digits), json.substring(at + key.length())};
    }

    /**
     * The answer to a {@code history} request. Its messages are the chat frames exactly as they
     * were broadcast (already encoded), so they are joined as they are, not encoded again.
     */
    public static String history(String room, List<String> chatFrames, boolean more) {
        StringBuilder json = new StringBuilder(64 + chatFrames.stream().mapToInt(String::length).sum());
        json.append("{\"type\":\"history\",\"room\":").append(JSONB.toJson(room)).append(",\"messages\":[");
        for (int i = 0; i < chatFrames.size(); i++) {
            json.append(i == 0 ? "" : ",").append(chatFrames.get(i));
        }
        return json.append("],\"more\":").append(more).append('}').toString();
    }

    /** Version 3's "my rooms": {@code {"type":"rooms","mine":true,"rooms":[...]}}. */
    public static String myRooms(MyRooms answer) {
        return "{\"type\":\"rooms\",\"mine\":true,\"rooms\":" + JSONB.toJson(answer.rooms()) + "}";
    }

    /** Whether an encoded frame of a room's log is a chat message, as this encoder writes them: its type first. */
    public static boolean isChat(String json) {
        return json.startsWith(CHAT_START);
    }

    /** Whether an encoded frame of a room's log is an edit. */
    public static boolean isEdit(String json) {
        return json.startsWith(EDIT_START);
    }

    private static final String CHAT_START = "{\"type\":\"chat\"";
    private static final String EDIT_START = "{\"type\":\"edit\"";

    /**
     * A frame of a room's log as this encoder wrote it, read back: a {@link ChatMessage} or a
     * {@link LogEntry}. Only for the rare changes of a held message, never per delivery.
     *
     * @throws jakarta.json.bind.JsonbException when it is neither
     */
    public static ServerFrame logFrame(String json) {
        ServerFrame frame = JSONB.fromJson(json, ServerFrame.class);
        if (!(frame instanceof ChatMessage) && !(frame instanceof LogEntry)) {
            throw new jakarta.json.bind.JsonbException("not a frame of a room's log: " + frame.getClass().getSimpleName());
        }
        return frame;
    }

    @Override
    public String encode(ServerFrame frame) {
        return toJson(frame);
    }
}

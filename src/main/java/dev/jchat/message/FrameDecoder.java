package dev.jchat.message;

import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import jakarta.websocket.Decoder;
import java.io.StringReader;
import java.util.Map;

/**
 * Decoder for client frames, strict about the types of the fields it uses and blind to the rest
 * (a client's {@code id} and {@code dateTime} may be of any JSON type). Thread-safe.
 *
 * <p>It reads with the JSON-P parser under Yasson rather than {@code Jsonb.fromJson}, which
 * accepts trailing input ({@code {"msg":"a"} junk}) and values that are not objects.
 */
public final class FrameDecoder implements Decoder.Text<ClientFrame> {

    private static final JsonParserFactory PARSERS = Json.createParserFactory(Map.of());

    /**
     * Decodes one frame of a version-1 or version-2 client: {@code room} is not read, and the
     * version-3 types are unknown.
     *
     * @throws InvalidFrameException with {@code invalid-json} or {@code invalid-message}
     */
    public static ClientFrame fromJson(String text) throws InvalidFrameException {
        return fromJson(text, false);
    }

    /**
     * Decodes one frame; with {@code v3}, {@code room} on the frames about a room, and
     * {@code subscribe} and {@code unsubscribe}.
     *
     * @throws InvalidFrameException with {@code invalid-json} or {@code invalid-message}
     */
    public static ClientFrame fromJson(String text, boolean v3) throws InvalidFrameException {
        JsonObject object = parseObject(text);
        String type = optionalString(text, object, "type");
        String room = v3 ? optionalString(text, object, "room") : null;
        if (type == null || type.equals("chat")) {
            String msg = optionalString(text, object, "msg");
            if (msg == null) {
                throw new InvalidFrameException(text, ErrorCode.INVALID_MESSAGE, "a chat frame needs a \"msg\" string");
            }
            return new ClientFrame.Chat(msg, optionalString(text, object, "user"), room);
        }
        return switch (type) {
            case "ping" -> new ClientFrame.Ping();
            case "typing" -> new ClientFrame.Typing(room);
            case "rooms" -> v3 && optionalBoolean(text, object, "mine") ? new ClientFrame.Mine() : new ClientFrame.Rooms();
            case "history" -> history(text, object, room);
            case "subscribe" -> {
                if (!v3) {
                    throw unknownType(text, false);
                }
                yield new ClientFrame.Subscribe(required(text, "room", room),
                        optionalWhole(text, object, "since", 0, Long.MAX_VALUE), optionalString(text, object, "epoch"));
            }
            case "unsubscribe" -> {
                if (!v3) {
                    throw unknownType(text, false);
                }
                yield new ClientFrame.Unsubscribe(required(text, "room", room), optionalBoolean(text, object, "forget"));
            }
            case "edit" -> {
                if (!v3) {
                    throw unknownType(text, false);
                }
                yield new ClientFrame.Edit(target(text, object),
                        required(text, "msg", optionalString(text, object, "msg")), room);
            }
            case "delete" -> {
                if (!v3) {
                    throw unknownType(text, false);
                }
                yield new ClientFrame.Delete(target(text, object), room);
            }
            case "react" -> {
                if (!v3) {
                    throw unknownType(text, false);
                }
                yield new ClientFrame.React(target(text, object),
                        required(text, "emoji", optionalString(text, object, "emoji")),
                        !object.containsKey("on") || object.isNull("on") || optionalBoolean(text, object, "on"), room);
            }
            case "mute", "ban", "kick" -> {
                if (!v3) {
                    throw unknownType(text, false);
                }
                yield new ClientFrame.Moderate(type, required(text, "user", optionalString(text, object, "user")),
                        type.equals("kick") ? null
                                : optionalWhole(text, object, "seconds", 0, ClientFrame.Moderate.MAX_SECONDS),
                        optionalString(text, object, "reason"), room);
            }
            case "read" -> {
                if (!v3) {
                    throw unknownType(text, false);
                }
                yield new ClientFrame.Read(target(text, object), room);
            }
            case "auth" -> {
                if (!v3) {
                    throw unknownType(text, false);
                }
                yield new ClientFrame.Auth(required(text, "token", optionalString(text, object, "token")));
            }
            default -> throw unknownType(text, v3);
        };
    }

    /** The {@code id} of the message an edit, deletion or reaction is about. */
    private static long target(String text, JsonObject object) throws InvalidFrameException {
        Long id = optionalWhole(text, object, "id", 1, Long.MAX_VALUE);
        if (id == null) {
            throw new InvalidFrameException(text, ErrorCode.INVALID_MESSAGE, "this frame needs the \"id\" of a message");
        }
        return id;
    }

    private static InvalidFrameException unknownType(String text, boolean v3) {
        return new InvalidFrameException(text, ErrorCode.INVALID_MESSAGE, v3
                ? "unknown frame type; expected \"chat\", \"ping\", \"typing\", \"history\", \"rooms\","
                        + " \"subscribe\", \"unsubscribe\", \"edit\", \"delete\", \"react\", \"read\", \"mute\", \"ban\", \"kick\" or \"auth\""
                : "unknown frame type; expected \"chat\", \"ping\", \"typing\", \"history\" or \"rooms\"");
    }

    @Override
    public ClientFrame decode(String text) throws InvalidFrameException {
        return fromJson(text);
    }

    @Override
    public boolean willDecode(String text) {
        return text != null;
    }

    private static JsonObject parseObject(String text) throws InvalidFrameException {
        try (JsonParser parser = PARSERS.createParser(new StringReader(text))) {
            if (parser.hasNext() && parser.next() == JsonParser.Event.START_OBJECT) {
                JsonObject object = parser.getObject();
                if (!parser.hasNext()) {
                    return object;
                }
            }
        } catch (RuntimeException e) {
            // JsonParsingException for bad syntax; Parsson's plain RuntimeException past its depth limit (1000)
        }
        throw new InvalidFrameException(text, ErrorCode.INVALID_JSON, "the frame is not a JSON object");
    }

    /** The string value of {@code key}; null when absent or JSON null. */
    private static String optionalString(String text, JsonObject object, String key) throws InvalidFrameException {
        JsonValue value = object.get(key);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (!(value instanceof JsonString string)) {
            throw new InvalidFrameException(text, ErrorCode.INVALID_MESSAGE, "\"" + key + "\" must be a string");
        }
        String result = string.getString();
        if (!wellFormed(result)) {
            // JSON escapes can spell half a surrogate pair ("\udc00"): text no one can encode, so no one may receive it
            throw new InvalidFrameException(text, ErrorCode.INVALID_MESSAGE,
                    "\"" + key + "\" is not well-formed Unicode (an unpaired surrogate)");
        }
        return result;
    }

    private static ClientFrame.History history(String text, JsonObject object, String room) throws InvalidFrameException {
        Long before = optionalWhole(text, object, "before", 1, Long.MAX_VALUE);
        Long limit = optionalWhole(text, object, "limit", 1, ClientFrame.History.MAX_LIMIT);
        return new ClientFrame.History(before, limit == null ? ClientFrame.History.DEFAULT_LIMIT : limit.intValue(), room);
    }

    private static String required(String text, String key, String value) throws InvalidFrameException {
        if (value == null) {
            throw new InvalidFrameException(text, ErrorCode.INVALID_MESSAGE, "this frame needs a \"" + key + "\" string");
        }
        return value;
    }

    /** The boolean at {@code key}; false when absent or JSON null. */
    private static boolean optionalBoolean(String text, JsonObject object, String key) throws InvalidFrameException {
        JsonValue value = object.get(key);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return false;
        }
        if (value.getValueType() != JsonValue.ValueType.TRUE && value.getValueType() != JsonValue.ValueType.FALSE) {
            throw new InvalidFrameException(text, ErrorCode.INVALID_MESSAGE, "\"" + key + "\" must be true or false");
        }
        return value.getValueType() == JsonValue.ValueType.TRUE;
    }

    /** The whole number at {@code key}, from min to max; null when absent or JSON null. */
    private static Long optionalWhole(String text, JsonObject object, String key, long min, long max)
            throws InvalidFrameException {
        JsonValue value = object.get(key);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (value instanceof JsonNumber number) {
            try {
                long whole = number.bigDecimalValue().longValueExact(); // 7 and 7.0 alike; 7.5 is not whole
                if (whole >= min && whole <= max) {
                    return whole;
                }
            } catch (ArithmeticException e) {
                // a fraction, or too large for a long: refused below
            }
        }
        throw new InvalidFrameException(text, ErrorCode.INVALID_MESSAGE,
                "\"" + key + "\" must be a whole number from " + min + " to " + max);
    }

    /** True when every surrogate in {@code text} is half of a pair. */
    static boolean wellFormed(String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else {
                    return false;
                }
            }
        }
        return true;
    }
}

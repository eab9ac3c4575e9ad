package dev.jchat.message;

import jakarta.json.bind.annotation.JsonbCreator;
import jakarta.json.bind.annotation.JsonbProperty;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One chat message as the server stored and broadcast it: id, name and time are the server's.
 * Live, a message has only the first five fields. Replayed to a version-3 connection it is sent
 * as it is now (the room log): {@code edited} when it was edited, {@code deleted} (and no
 * {@code msg}) when it was deleted, {@code reactions} when it has any, each absent otherwise.
 *
 * @param reactions each emoji set on it, in the order first set, with the names that set it, in
 *                  the order they did
 */
public record ChatMessage(long id, String user, Instant dateTime, String msg, String room, Instant edited,
                          Boolean deleted, Map<String, List<String>> reactions, Boolean api)
        implements ServerFrame {

    /**
     * How JSON-B reads a message back ({@link FrameEncoder#logFrame}): into a map that keeps the
     * order of its reactions, which JSON-B's default map does not (the Redis engine reads every
     * message it changes back from Redis).
     */
    @JsonbCreator
    public static ChatMessage read(@JsonbProperty("id") long id, @JsonbProperty("user") String user,
                                   @JsonbProperty("dateTime") Instant dateTime, @JsonbProperty("msg") String msg,
                                   @JsonbProperty("room") String room, @JsonbProperty("edited") Instant edited,
                                   @JsonbProperty("deleted") Boolean deleted,
                                   @JsonbProperty("reactions") LinkedHashMap<String, List<String>> reactions,
                                   @JsonbProperty("api") Boolean api) {
        return new ChatMessage(id, user, dateTime, msg, room, edited, deleted, reactions, api);
    }

    /** A message as it is now, not posted through the API. */
    public ChatMessage(long id, String user, Instant dateTime, String msg, String room, Instant edited,
                       Boolean deleted, Map<String, List<String>> reactions) {
        this(id, user, dateTime, msg, room, edited, deleted, reactions, null);
    }

    /** A message as it is first sent. */
    public ChatMessage(long id, String user, Instant dateTime, String msg, String room) {
        this(id, user, dateTime, msg, room, null, null, null, null);
    }

    /** A message as an application's backend first posts it through the HTTP API: {@code "api":true}. */
    public static ChatMessage fromApi(String user, Instant dateTime, String msg, String room) {
        return new ChatMessage(0, user, dateTime, msg, room, null, null, null, true);
    }

    /** The same message with the id the room gave it. */
    public ChatMessage withId(long value) {
        return new ChatMessage(value, user, dateTime, msg, room, edited, deleted, reactions, api);
    }

    /** Whether it was deleted. */
    public boolean wasDeleted() {
        return Boolean.TRUE.equals(deleted);
    }
}

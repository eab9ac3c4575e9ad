package dev.jchat.api;

import dev.jchat.ChatHub;
import dev.jchat.message.ClientFrame;
import dev.jchat.message.ErrorCode;
import dev.jchat.ops.OpsAnswers;
import dev.jchat.room.Audience;
import dev.jchat.room.RoomRegistry;
import dev.jchat.security.InputRules;
import dev.jchat.security.RefusedException;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;
import java.lang.System.Logger.Level;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledFuture;

/**
 * The HTTP API for an application's backend ({@code docs/API.md}), once for every runtime: the
 * launcher's Grizzly handler and the web application's servlet only carry a request in (method,
 * path below the context path, query, {@code Authorization}, body bytes) and the {@link
 * OpsAnswers.Answer} out. Here: the key check, the routing, JSON in and out, and the error format
 * {@code {"error":CODE,"message":TEXT}}. Stateless, so thread-safe.
 *
 * <p>Off (every path 404) unless {@code CHAT_API_KEY} is set; the key is compared in constant
 * time and never written anywhere.
 */
public final class ApiAnswers {

    /** Every path of the API starts with it, below the context path. */
    public static final String PREFIX = "/api";
    /** A body longer than this is refused with 413 (a runtime reads at most one byte more). */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private static final System.Logger LOG = System.getLogger(ApiAnswers.class.getName());
    private static final String JSON = "application/json";
    private static final Jsonb JSONB = JsonbBuilder.create();
    /** How long a request waits for the engine: past a message's own deadline, so that its outcome is known. */
    private static final long WAIT_SECONDS = 15;
    private static final int ROOMS_DEFAULT = 100;
    private static final int MESSAGES_DEFAULT = 50;
    private static final int LIMIT_MAX = 1000;

    /**
     * One request, as a runtime received it.
     *
     * @param path          below the context path, percent-decoded, without the query
     * @param query         the raw query string, or null
     * @param authorization the {@code Authorization} header, or null
     * @param body          the body's bytes (empty when none), at most {@link #MAX_BODY_BYTES} + 1
     */
    public record Request(String method, String path, String query, String authorization, byte[] body) {
    }

    /** A request the API refuses: its status and the error's code and text. */
    private static final class Refusal extends RuntimeException {
        final int status;
        final String code;

        Refusal(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    private ApiAnswers() {
    }

    /** Whether the path (below the context path) is the API's. */
    public static boolean isApi(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    /**
     * The answer to one request, once the engine has answered it: at most {@link #WAIT_SECONDS}
     * later (then 503). No thread waits for it meanwhile; the runtime's carrier writes it when it comes.
     */
    public static CompletionStage<OpsAnswers.Answer> answer(ChatHub hub, Request request) {
        return answered(hub, request).thenApply(answer -> {
            hub.metrics().apiCall(metricRoute(request), answer.status());
            return answer;
        });
    }

    /** The route of a request, for the metric: its method and path's shape, never a room's, a name's or an id's text. */
    static String metricRoute(Request request) {
        String[] parts = request.path().substring(PREFIX.length()).split("/", -1);
        String shape = null;
        if (parts.length == 2 && parts[1].equals("rooms")) {
            shape = "/api/rooms";
        } else if (parts.length == 4 && parts[1].equals("rooms") && List.of("presence", "moderation", "messages").contains(parts[3])) {
            shape = "/api/rooms/{room}/" + parts[3];
        } else if (parts.length == 5 && parts[1].equals("rooms") && parts[3].equals("messages")) {
            shape = "/api/rooms/{room}/messages/{id}";
        } else if (parts.length == 4 && parts[1].equals("users") && parts[3].equals("disconnect")) {
            shape = "/api/users/{name}/disconnect";
        }
        String method = List.of("GET", "POST", "DELETE", "PUT", "PATCH", "HEAD").contains(request.method())
                ? request.method() : "OTHER";
        return shape == null ? "other" : method + " " + shape;
    }

    private static CompletionStage<OpsAnswers.Answer> answered(ChatHub hub, Request request) {
        String key = hub.config().security().apiKey();
        if (key == null) {
            return done(error(new Refusal(404, ErrorCode.NOT_FOUND.wire(), "no such path")));
        }
        if (!OpsAnswers.presents(request.authorization(), key)) {
            return done(new OpsAnswers.Answer(401, JSON, errorBody(ErrorCode.UNAUTHORIZED.wire(),
                    "the API needs Authorization: Bearer <CHAT_API_KEY>"), Map.of("WWW-Authenticate", "Bearer realm=\"api\"")));
        }
        if (request.body().length > MAX_BODY_BYTES) {
            return done(error(new Refusal(413, "too-large", "the body is longer than " + MAX_BODY_BYTES + " bytes")));
        }
        CompletableFuture<OpsAnswers.Answer> routed;
        try {
            routed = route(hub, request).toCompletableFuture();
        } catch (Refusal refusal) {
            return done(error(refusal));
        }
        CompletableFuture<OpsAnswers.Answer> answer = routed.handle((done, error) -> error == null ? done : failed(error));
        // the hub's timer, not the JDK's shared one: no thread of the JDK's started by a web application
        ScheduledFuture<?> late = hub.schedule(() -> {
            if (answer.complete(unavailable())) {
                LOG.log(Level.WARNING, "an API request waited " + WAIT_SECONDS + " s for the engine and was answered 503");
            }
        }, Duration.ofSeconds(WAIT_SECONDS));
        return late == null ? answer : answer.whenComplete((done, error) -> late.cancel(false));
    }

    private static CompletionStage<OpsAnswers.Answer> done(OpsAnswers.Answer answer) {
        return CompletableFuture.completedFuture(answer);
    }

    private static CompletionStage<OpsAnswers.Answer> route(ChatHub hub, Request request) {
        String[] parts = request.path().substring(PREFIX.length()).split("/", -1);
        Map<String, String> query = query(request.query());
        // parts[0] is the empty segment before the first slash
        if (parts.length == 2 && parts[1].equals("rooms")) {
            allow(request, "GET");
            return rooms(hub, limit(query, ROOMS_DEFAULT));
        }
        if (parts.length == 4 && parts[1].equals("rooms")) {
            String room = room(parts[2]);
            switch (parts[3]) {
                case "presence" -> {
                    allow(request, "GET");
                    return presence(hub, room);
                }
                case "moderation" -> {
                    allow(request, "POST");
                    return moderate(hub, room, body(request));
                }
                case "messages" -> {
                    allow(request, "GET", "POST");
                    return request.method().equals("POST") ? post(hub, room, body(request))
                            : messages(hub, room, whole(query, "before", null), limit(query, MESSAGES_DEFAULT));
                }
                default -> {
                }
            }
        }
        if (parts.length == 5 && parts[1].equals("rooms") && parts[3].equals("messages")) {
            String room = room(parts[2]);
            allow(request, "DELETE");
            return delete(hub, room, id(parts[4]));
        }
        if (parts.length == 4 && parts[1].equals("users") && parts[3].equals("disconnect")) {
            allow(request, "POST");
            return disconnect(hub, user(parts[2]), request);
        }
        throw new Refusal(404, ErrorCode.NOT_FOUND.wire(), "no such path");
    }

    /** {@code POST /api/users/{name}/disconnect}: every connection of the name, {@code kicked}. */
    private static CompletionStage<OpsAnswers.Answer> disconnect(ChatHub hub, String user, Request request) {
        String given = request.body().length == 0 ? null : reason(body(request));
        available(hub);
        return hub.rooms().disconnect(user, given == null ? "disconnected by the application" : given)
                .thenApply(closed -> ok(200, Json.createObjectBuilder().add("closed", closed).build().toString()));
    }

    /** A moderator's reason, as a frame's: stripped, at most {@link ClientFrame.Moderate#MAX_REASON}; null when none. */
    private static String reason(JsonObject body) {
        String reason = text(body, "reason");
        reason = reason == null || reason.isBlank() ? null : reason.strip();
        if (reason != null && reason.codePointCount(0, reason.length()) > ClientFrame.Moderate.MAX_REASON) {
            throw new Refusal(400, ErrorCode.INVALID_MESSAGE.wire(),
                    "a reason is at most " + ClientFrame.Moderate.MAX_REASON + " characters");
        }
        return reason;
    }

    /** A name, by a chat frame's rules. */
    private static String user(String raw) {
        try {
            return InputRules.name(raw);
        } catch (RefusedException e) {
            throw new Refusal(400, e.code().wire(), e.getMessage());
        }
    }

    /** {@code GET /api/rooms}: as the {@code rooms} frame. */
    private static CompletionStage<OpsAnswers.Answer> rooms(ChatHub hub, int limit) {
        available(hub);
        return hub.rooms().directory(limit).thenApply(rooms -> ok(200, JSONB.toJson(Map.of("rooms", rooms))));
    }

    /** {@code GET /api/rooms/{room}/presence}. */
    private static CompletionStage<OpsAnswers.Answer> presence(ChatHub hub, String room) {
        available(hub);
        return hub.rooms().online(room).thenApply(users -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("room", room);
            body.put("users", found(users));
            return ok(200, JSONB.toJson(body));
        });
    }

    /** {@code GET /api/rooms/{room}/messages}: as a version-3 {@code history} answer, with the room's epoch. */
    private static CompletionStage<OpsAnswers.Answer> messages(ChatHub hub, String room, Long before, int limit) {
        available(hub);
        return hub.rooms().page(room, before, limit).thenApply(page -> {
            Audience.Page held = found(page);
            StringBuilder json = new StringBuilder("{\"room\":").append(JSONB.toJson(room))
                    .append(",\"epoch\":").append(JSONB.toJson(held.epoch())).append(",\"messages\":[");
            json.append(String.join(",", held.messages()));
            return ok(200, json.append("],\"more\":").append(held.more()).append('}').toString());
        });
    }

    /**
     * {@code POST /api/rooms/{room}/messages}: the name and text through a chat frame's rules; a
     * name someone holds only when the backend vouches for it ({@code "as":"claimed"}).
     */
    private static CompletionStage<OpsAnswers.Answer> post(ChatHub hub, String room, JsonObject body) {
        String user = user(text(body, "user"));
        String text;
        try {
            String msg = text(body, "msg");
            if (msg == null) {
                throw new RefusedException(ErrorCode.INVALID_MESSAGE, "msg is required: the message's text");
            }
            text = InputRules.message(msg, hub.config().maxMessageChars());
        } catch (RefusedException e) {
            throw new Refusal(400, e.code().wire(), e.getMessage());
        }
        String as = text(body, "as");
        if (as != null && !as.equals("claimed")) {
            throw new Refusal(400, ErrorCode.INVALID_MESSAGE.wire(), "as may only be \"claimed\"");
        }
        available(hub);
        RoomRegistry rooms = hub.rooms();
        CompletionStage<Boolean> held = as != null ? CompletableFuture.completedFuture(false) : rooms.names().held(user);
        return held.thenCompose(taken -> {
            if (taken) {
                throw new Refusal(409, ErrorCode.NAME_TAKEN.wire(), "the name is held by someone; send \"as\":\"claimed\""
                        + " if your backend vouches for it");
            }
            return hub.publishing().post(rooms, room, user, text);
        }).thenApply(posted -> ok(201, JSONB.toJson(posted)));
    }

    /** {@code DELETE /api/rooms/{room}/messages/{id}}: as a moderator's deletion, by {@code api}. */
    private static CompletionStage<OpsAnswers.Answer> delete(ChatHub hub, String room, long id) {
        available(hub);
        return hub.rooms().delete(room, id).thenApply(entry -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("room", room);
            body.put("id", entry);
            return ok(200, JSONB.toJson(body));
        });
    }

    /**
     * {@code POST /api/rooms/{room}/moderation}: as a moderator's {@code mute}, {@code ban} or
     * {@code kick} frame, by {@code api}, and their lifting ({@code unmute}, {@code unban}, or
     * {@code seconds} 0); {@code seconds} absent: until lifted.
     */
    private static CompletionStage<OpsAnswers.Answer> moderate(ChatHub hub, String room, JsonObject body) {
        String action = text(body, "action");
        if (action == null || !List.of("mute", "unmute", "ban", "unban", "kick").contains(action)) {
            throw new Refusal(400, ErrorCode.INVALID_MESSAGE.wire(), "action must be mute, unmute, ban, unban or kick");
        }
        String user = user(text(body, "user"));
        String reason = reason(body);
        Long seconds = seconds(body);
        Instant until = null;
        if (action.equals("mute") || action.equals("ban")) {
            if (seconds != null && seconds == 0) {
                action = "un" + action; // 0 seconds lifts a mute or a ban, as in the frame
            } else if (seconds != null) {
                until = Instant.now().truncatedTo(ChronoUnit.MILLIS).plusSeconds(seconds);
            }
        }
        available(hub);
        Instant ends = until;
        return hub.rooms().moderate(room, action, user, until, reason).thenApply(id -> {
            JsonObjectBuilder answer = Json.createObjectBuilder().add("room", room).add("id", id);
            if (ends == null) {
                answer.addNull("until");
            } else {
                answer.add("until", ends.toString());
            }
            return ok(200, answer.build().toString());
        });
    }

    /** A mute's or ban's {@code seconds}: a whole number from 0 to {@link ClientFrame.Moderate#MAX_SECONDS}, or null. */
    private static Long seconds(JsonObject body) {
        JsonValue value = body.get("seconds");
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        if (value instanceof JsonNumber number && number.isIntegral() && number.longValue() >= 0
                && number.longValue() <= ClientFrame.Moderate.MAX_SECONDS) {
            return number.longValue();
        }
        throw new Refusal(400, ErrorCode.INVALID_MESSAGE.wire(),
                "seconds must be a whole number from 0 to " + ClientFrame.Moderate.MAX_SECONDS);
    }

    /** A message's id in the path. */
    private static long id(String raw) {
        try {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new Refusal(400, ErrorCode.INVALID_QUERY.wire(), "a message's id is a whole number, 1 or more");
    }

    /** The body as a JSON object, strictly: nothing after it. */
    private static JsonObject body(Request request) {
        // as UTF-8, as API.md says: the parser's own detection fails on a body shorter than 4 bytes
        try (JsonParser parser = Json.createParser(new StringReader(new String(request.body(), StandardCharsets.UTF_8)))) {
            if (!parser.hasNext() || parser.next() != JsonParser.Event.START_OBJECT) {
                throw new Refusal(400, ErrorCode.INVALID_JSON.wire(), "the body must be a JSON object");
            }
            JsonObject object = parser.getObject();
            if (parser.hasNext()) {
                throw new Refusal(400, ErrorCode.INVALID_JSON.wire(), "the body must be one JSON object, nothing after it");
            }
            return object;
        } catch (JsonException | java.util.NoSuchElementException | IllegalStateException e) {
            throw new Refusal(400, ErrorCode.INVALID_JSON.wire(), "the body is not well-formed JSON");
        }
    }

    /** A string field, or null when absent or null; another type is refused. */
    private static String text(JsonObject body, String field) {
        JsonValue value = body.get(field);
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        if (value instanceof JsonString string) {
            return string.getString();
        }
        throw new Refusal(400, ErrorCode.INVALID_MESSAGE.wire(), field + " must be a string");
    }

    /** A room of the path (percent-decoded by the runtime): a room's name; direct conversations are their two names' alone. */
    private static String room(String room) {
        try {
            if (room.isEmpty() || room.startsWith("@")) {
                throw new RefusedException(ErrorCode.INVALID_QUERY, "room must be 1 to 64 of A-Z a-z 0-9 _ -");
            }
            return InputRules.room(room);
        } catch (RefusedException e) {
            throw new Refusal(400, e.code().wire(), e.getMessage());
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                try {
                    query.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw new Refusal(400, ErrorCode.INVALID_QUERY.wire(), "the query is not well formed");
                }
            }
        }
        return query;
    }

    private static int limit(Map<String, String> query, int fallback) {
        Long limit = whole(query, "limit", (long) fallback);
        if (limit < 1 || limit > LIMIT_MAX) {
            throw new Refusal(400, ErrorCode.INVALID_QUERY.wire(), "limit must be 1 to " + LIMIT_MAX);
        }
        return limit.intValue();
    }

    /** A whole number 0 or more of the query, or {@code fallback} when absent. */
    private static Long whole(Map<String, String> query, String name, Long fallback) {
        String value = query.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            long number = Long.parseLong(value);
            if (number >= 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // answered below: the client learns what was wrong
        }
        throw new Refusal(400, ErrorCode.INVALID_QUERY.wire(), name + " must be a whole number, 0 or more");
    }

    private static void allow(Request request, String... methods) {
        if (!List.of(methods).contains(request.method())) {
            throw new Refusal(405, "method-not-allowed", "allowed: " + String.join(", ", methods));
        }
    }

    /** Nothing is tried while a shared engine is known to be down. */
    private static void available(ChatHub hub) {
        if (!hub.rooms().available()) {
            throw new Refusal(503, ErrorCode.UNAVAILABLE.wire(), RoomRegistry.UNAVAILABLE);
        }
    }

    private static <T> T found(T held) {
        if (held == null) {
            throw new Refusal(404, ErrorCode.NOT_FOUND.wire(), "no such room");
        }
        return held;
    }

    /** What a failed call comes to: its refusal, a room the engine has no place for, or the engine unavailable. */
    private static OpsAnswers.Answer failed(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof Refusal refusal) {
            return error(refusal);
        }
        if (cause instanceof RefusedException refused) {
            int status = switch (refused.code()) {
                case NOT_FOUND -> 404;
                case MUTED, BANNED -> 403;
                case REJECTED -> 422;
                case ROOM_LIMIT, UNAVAILABLE -> 503;
                default -> 400;
            };
            return error(new Refusal(status, refused.code().wire(), refused.getMessage()));
        }
        // its class only: an engine's error may quote the command, and with it a message's text
        LOG.log(Level.WARNING, "an API request failed in the engine and was answered 503: " + cause.getClass().getName());
        return unavailable();
    }

    private static OpsAnswers.Answer unavailable() {
        return error(new Refusal(503, ErrorCode.UNAVAILABLE.wire(), RoomRegistry.UNAVAILABLE));
    }

    private static OpsAnswers.Answer ok(int status, String json) {
        return new OpsAnswers.Answer(status, JSON, json, Map.of());
    }

    private static OpsAnswers.Answer error(Refusal refusal) {
        Map<String, String> headers = refusal.status == 405
                ? Map.of("Allow", refusal.getMessage().substring("allowed: ".length())) : Map.of();
        return new OpsAnswers.Answer(refusal.status, JSON, errorBody(refusal.code, refusal.getMessage()), headers);
    }

    private static String errorBody(String code, String message) {
        return Json.createObjectBuilder().add("error", code).add("message", message).build().toString();
    }
}

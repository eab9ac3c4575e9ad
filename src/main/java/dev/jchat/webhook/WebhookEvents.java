package dev.jchat.webhook;

import dev.jchat.message.ChatMessage;
import dev.jchat.message.LogEntry;
import dev.jchat.message.ServerFrame;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.time.Instant;

/**
 * The bodies of webhook events, one JSON object each, as docs/API.md lists them; the same for
 * both engines (the Redis engine makes them from the frames its stream holds). Stateless.
 */
public final class WebhookEvents {

    /** The event of a name's first connection anywhere. */
    public static final String ONLINE = "online";
    /** The event of a name gone everywhere for longer than the grace. */
    public static final String OFFLINE = "offline";

    private WebhookEvents() {
    }

    /** Whether an entry of a room's log makes an event: a message, an edit, a deletion, a moderator's action; a reaction does not. */
    public static boolean eventful(ServerFrame entry) {
        return entry instanceof ChatMessage || entry instanceof LogEntry.Edit || entry instanceof LogEntry.Delete
                || entry instanceof LogEntry.Moderation;
    }

    /** The event of a room's log entry (with its id), at the entry's own time; null for one that makes none. */
    public static String entry(String eventId, ServerFrame entry) {
        JsonObjectBuilder body;
        if (entry instanceof ChatMessage m) {
            body = start("message", eventId, m.dateTime()).add("room", m.room()).add("id", m.id()).add("user", m.user())
                    .add("msg", m.msg()).add("api", Boolean.TRUE.equals(m.api()));
        } else if (entry instanceof LogEntry.Edit e) {
            body = start("edit", eventId, e.dateTime()).add("room", e.room()).add("id", e.id()).add("target", e.target())
                    .add("user", e.user()).add("msg", e.msg());
        } else if (entry instanceof LogEntry.Delete d) {
            body = start("delete", eventId, d.dateTime()).add("room", d.room()).add("id", d.id())
                    .add("target", d.target()).add("user", d.user());
        } else if (entry instanceof LogEntry.Moderation m) {
            body = start("moderation", eventId, m.dateTime()).add("room", m.room()).add("id", m.id())
                    .add("action", m.action()).add("user", m.user()).add("by", m.by());
            orNull(body, "until", m.until() == null ? null : m.until().toString());
            orNull(body, "reason", m.reason());
        } else {
            return null;
        }
        return body.build().toString();
    }

    /** The event {@code online} or {@code offline} of a name, at {@code time}. */
    public static String name(String eventId, String event, String user, Instant time) {
        return start(event, eventId, time).add("user", user).build().toString();
    }

    private static JsonObjectBuilder start(String event, String eventId, Instant time) {
        return Json.createObjectBuilder().add("event", event).add("eventId", eventId).add("time", time.toString());
    }

    private static void orNull(JsonObjectBuilder body, String field, String value) {
        if (value == null) {
            body.addNull(field);
        } else {
            body.add(field, value);
        }
    }
}

package dev.jchat.engine.redis;

import dev.jchat.message.LogEntry;
import dev.jchat.room.Sanctions;
import dev.jchat.security.InputRules;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A room's mutes and bans as Redis keeps them ({@link RedisKeys#sanctions}), so that they hold on
 * every server and across restarts: field {@code mute <name>} or {@code ban <name>}, value
 * {@code <until> <reason>} ({@code until} in ms since the epoch, {@code -} for none; the reason
 * empty for none). {@code publish.lua} writes a field in the step that appends the moderation
 * entry setting or lifting it; {@code load.lua} reads them all with the room. Stateless.
 */
final class SanctionsHash {

    private SanctionsHash() {
    }

    /** The field a moderation entry sets or clears, or "" for one that leaves nothing behind (a kick). */
    static String field(LogEntry.Moderation entry) {
        return switch (entry.action()) {
            // by the name's skeleton, as Sanctions keeps them: a ban of bob is lifted by an unban of Bob
            case "mute", "unmute" -> "mute " + InputRules.skeleton(entry.user());
            case "ban", "unban" -> "ban " + InputRules.skeleton(entry.user());
            default -> "";
        };
    }

    /** The value a moderation entry sets its {@link #field} to, or "" when it lifts the sanction. */
    static String value(LogEntry.Moderation entry) {
        if (!entry.action().equals("mute") && !entry.action().equals("ban")) {
            return "";
        }
        return (entry.until() == null ? "-" : Long.toString(entry.until().toEpochMilli())) + " "
                + (entry.reason() == null ? "" : entry.reason());
    }

    /** Puts the hash as {@code HGETALL} read it (field, value, field, value...) in place of what {@code into} held. */
    static void load(List<String> hash, Sanctions into) {
        Map<String, Sanctions.Sanction> mutes = new HashMap<>();
        Map<String, Sanctions.Sanction> bans = new HashMap<>();
        for (int i = 0; i + 1 < hash.size(); i += 2) {
            String field = hash.get(i);
            String value = hash.get(i + 1);
            int space = field.indexOf(' ');
            int split = value.indexOf(' ');
            Map<String, Sanctions.Sanction> kind = field.startsWith("ban ") ? bans
                    : field.startsWith("mute ") ? mutes : null;
            if (kind == null || split < 0) {
                continue; // not written by publish.lua: nothing this server can read as a sanction
            }
            String until = value.substring(0, split);
            String reason = value.substring(split + 1);
            Sanctions.Sanction sanction = new Sanctions.Sanction(
                    until.equals("-") ? null : Instant.ofEpochMilli(Long.parseLong(until)),
                    reason.isEmpty() ? null : reason);
            kind.put(field.substring(space + 1), sanction);
        }
        into.load(mutes, bans);
    }
}

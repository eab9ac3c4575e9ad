package dev.jchat.room;

import dev.jchat.message.LogEntry;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The mutes and bans of one room, as its moderation entries left them (PROTOCOL.md, "Moderation"):
 * every server applies the room's entries in the log's order, so every server holds the same. An
 * engine keeps them beyond the room's audience (the memory engine for the server's life, Redis
 * across restarts) and hands them to each audience it makes. Thread-safe.
 */
public final class Sanctions {

    /** A name's mute or ban: until when (null: until lifted), and the moderator's reason (or null). */
    public record Sanction(Instant until, String reason) {

        boolean holdsAt(Instant now) {
            return until == null || until.isAfter(now);
        }
    }

    private final Map<String, Sanction> mutes = new HashMap<>();
    private final Map<String, Sanction> bans = new HashMap<>();

    /** Takes in a moderation entry of the room. */
    public synchronized void apply(LogEntry.Moderation entry) {
        switch (entry.action()) {
            case "mute" -> mutes.put(entry.user(), new Sanction(entry.until(), entry.reason()));
            case "unmute" -> mutes.remove(entry.user());
            case "ban" -> bans.put(entry.user(), new Sanction(entry.until(), entry.reason()));
            case "unban" -> bans.remove(entry.user());
            default -> { } // a kick leaves nothing behind
        }
    }

    /**
     * Holds exactly these mutes and bans, by name, in place of what it held: the sanctions an
     * engine that keeps them beyond the servers read when it loaded the room (Redis), which its
     * moderation entries left them as at the newest id loaded.
     */
    public synchronized void load(Map<String, Sanction> mutesNow, Map<String, Sanction> bansNow) {
        mutes.clear();
        mutes.putAll(mutesNow);
        bans.clear();
        bans.putAll(bansNow);
    }

    /** Whether it holds no mute and no ban (ended ones may still count until asked about). */
    public synchronized boolean isEmpty() {
        return mutes.isEmpty() && bans.isEmpty();
    }

    /** The name's mute in force now, or null. */
    public Sanction muted(String name, Instant now) {
        return inForce(mutes, name, now);
    }

    /** The name's ban in force now, or null. */
    public Sanction banned(String name, Instant now) {
        return inForce(bans, name, now);
    }

    private synchronized Sanction inForce(Map<String, Sanction> sanctions, String name, Instant now) {
        Sanction sanction = name == null ? null : sanctions.get(name);
        if (sanction != null && !sanction.holdsAt(now)) {
            sanctions.remove(name); // ended: nothing to keep
            return null;
        }
        return sanction;
    }
}

package dev.jchat.room;

import dev.jchat.security.RefusedException;
import dev.jchat.message.ErrorCode;
import dev.jchat.message.LogEntry;
import dev.jchat.security.InputRules;
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

    /**
     * Takes in a moderation entry of the room. Names are compared as they are held: by skeleton,
     * so a ban of {@code bob} holds for the name spelt {@code Bob} (one name, one hold).
     */
    public synchronized void apply(LogEntry.Moderation entry) {
        String name = InputRules.skeleton(entry.user());
        switch (entry.action()) {
            case "mute" -> mutes.put(name, new Sanction(entry.until(), entry.reason()));
            case "unmute" -> mutes.remove(name);
            case "ban" -> bans.put(name, new Sanction(entry.until(), entry.reason()));
            case "unban" -> bans.remove(name);
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
        mutesNow.forEach((name, sanction) -> mutes.put(InputRules.skeleton(name), sanction));
        bans.clear();
        bansNow.forEach((name, sanction) -> bans.put(InputRules.skeleton(name), sanction));
    }

    /** Whether two spellings are one name, as holds and sanctions take them. */
    public static boolean sameName(String a, String b) {
        return a != null && b != null && InputRules.skeleton(a).equals(InputRules.skeleton(b));
    }

    /** Whether it holds no mute and no ban in force at {@code now}; ended ones are let go of. */
    public synchronized boolean isEmpty(Instant now) {
        mutes.values().removeIf(s -> !s.holdsAt(now));
        bans.values().removeIf(s -> !s.holdsAt(now));
        return mutes.isEmpty() && bans.isEmpty();
    }

    /**
     * Why a message from the name may not go into the room now (the HTTP API's post, which no
     * connection's join or mute check saw): {@code banned} or {@code muted}; null when it may.
     */
    public RefusedException refusal(String name, Instant now) {
        if (banned(name, now) != null) {
            return new RefusedException(ErrorCode.BANNED, "a moderator banned this name from the room");
        }
        return muted(name, now) != null ? new RefusedException(ErrorCode.MUTED, "a moderator muted this name in the room")
                : null;
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
        String key = name == null ? null : InputRules.skeleton(name);
        Sanction sanction = key == null ? null : sanctions.get(key);
        if (sanction != null && !sanction.holdsAt(now)) {
            sanctions.remove(key); // ended: nothing to keep
            return null;
        }
        return sanction;
    }
}

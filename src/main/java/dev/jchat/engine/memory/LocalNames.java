package dev.jchat.engine.memory;

import dev.jchat.room.Names;
import dev.jchat.security.InputRules;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * Name holds in this JVM's memory: they end with the process, and a key presented for a name
 * nobody holds claims it again with that key, so that a page's stored key survives a restart.
 * Thread-safe.
 */
public final class LocalNames implements Names {

    /** Holds past which the expired ones are swept out at the next claim. */
    private static final int SWEEP_AT = 10_000;

    /** One name's hold: its spelling, its key's digest, its open connections, and when the last one closed. */
    private static final class Hold {
        final String name;
        final byte[] digest;
        int connections;
        long releasedAt;

        Hold(String name, byte[] digest) {
            this.name = name;
            this.digest = digest;
        }
    }

    private final Map<String, Hold> holds = new HashMap<>(); // by the name's skeleton
    private final long holdNanos;
    private final LongSupplier clock;
    private int sweepAt = SWEEP_AT;

    public LocalNames(Duration hold) {
        this(hold, System::nanoTime);
    }

    LocalNames(Duration hold, LongSupplier clock) {
        this.holdNanos = hold.toNanos();
        this.clock = clock;
    }

    @Override
    public synchronized CompletionStage<Claim> claim(String name, String presentedKey) {
        sweepIfLarge();
        Hold hold = current(name);
        Claim claim;
        if (hold == null) {
            String key = presentedKey != null ? presentedKey : Names.newKey();
            hold = new Hold(name, digestOf(key));
            holds.put(InputRules.skeleton(name), hold);
            claim = new Claim(presentedKey != null ? Outcome.PROVEN : Outcome.CLAIMED, key);
        } else if (presentedKey != null && MessageDigest.isEqual(hold.digest, digestOf(presentedKey))
                && hold.name.equals(name)) {
            claim = new Claim(Outcome.PROVEN, presentedKey);
        } else {
            return CompletableFuture.completedFuture(new Claim(Outcome.TAKEN, null));
        }
        hold.connections++;
        return CompletableFuture.completedFuture(claim);
    }

    @Override
    public synchronized CompletionStage<Holder> holder(String name) {
        Hold hold = current(name);
        return CompletableFuture.completedFuture(
                hold == null ? null : new Holder(hold.name, new String(hold.digest, StandardCharsets.US_ASCII)));
    }

    @Override
    public synchronized void released(String name) {
        Hold hold = holds.get(InputRules.skeleton(name));
        if (hold != null && hold.connections > 0 && --hold.connections == 0) {
            hold.releasedAt = clock.getAsLong();
        }
    }

    @Override
    public synchronized void unclaim(String name, String key) {
        String skeleton = InputRules.skeleton(name);
        Hold hold = holds.get(skeleton);
        if (hold != null && MessageDigest.isEqual(hold.digest, digestOf(key))) {
            holds.remove(skeleton);
        }
    }

    /** The name's hold, or null when nobody holds it (never claimed, or its hold ran out). */
    private Hold current(String name) {
        String skeleton = InputRules.skeleton(name);
        Hold hold = holds.get(skeleton);
        if (hold != null && expired(hold)) {
            holds.remove(skeleton);
            return null;
        }
        return hold;
    }

    private boolean expired(Hold hold) {
        return hold.connections == 0 && clock.getAsLong() - hold.releasedAt > holdNanos;
    }

    /** Names claimed by the thousand and left: their expired holds go, so that the map stays bounded by use. */
    private void sweepIfLarge() {
        if (holds.size() < sweepAt) {
            return;
        }
        for (Iterator<Hold> it = holds.values().iterator(); it.hasNext(); ) {
            if (expired(it.next())) {
                it.remove();
            }
        }
        sweepAt = Math.max(SWEEP_AT, holds.size() * 2);
    }

    private static byte[] digestOf(String key) {
        return Names.digest(key).getBytes(StandardCharsets.US_ASCII);
    }
}

package dev.jchat.room;

import dev.jchat.security.InputRules;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Who holds which name, when tokens are off: the first connection to use a name claims it and
 * gets its key; later ones prove they hold it with that key. Keys are random (256 bits), kept
 * only as their SHA-256 digest, and never logged. Each engine keeps holds where it keeps rooms.
 *
 * <p>A hold is kept under the name's skeleton ({@link InputRules#skeleton}): while {@code Alice}
 * is held, {@code alice}, {@code ALICE} and fullwidth {@code ａｌｉｃｅ} are taken too, and its
 * key proves it only as spelled when claimed, so that every connection of a held name shows
 * one spelling. Implementations are thread-safe.
 */
public interface Names {

    /** What a connection refused with {@code name-taken} is told. */
    String TAKEN = "this name, or one that looks the same, is taken: connect with its key and its spelling,"
            + " or choose another name";

    /**
     * Who holds a name: the spelling it was claimed with, and the claim's identity, the digest of
     * its key ({@link #digest}): a name claimed again with a new key is another claim.
     */
    record Holder(String name, String identity) {
    }

    /** What became of a claim. */
    enum Outcome {
        /** Nobody held the name: it is the connection's now, with a new key. */
        CLAIMED,
        /** The connection presented the holder's key with its spelling (or a key for a name nobody held, which claims it again). */
        PROVEN,
        /** Someone else holds the name, or one that looks the same, or the holder spelt it otherwise. */
        TAKEN
    }

    /** A claim's outcome and the key to give back in the welcome (null when taken). */
    record Claim(Outcome outcome, String key) {
    }

    /** Claims {@code name}, or proves it with {@code presentedKey} (null when none came). */
    CompletionStage<Claim> claim(String name, String presentedKey);

    /** Who holds {@code name} or a name that looks the same (its skeleton's), or null when nobody does. */
    CompletionStage<Holder> holder(String name);

    /** Whether someone holds {@code name} or one that looks the same: a connection naming itself by its first message may not use it. */
    default CompletionStage<Boolean> held(String name) {
        return holder(name).thenApply(Objects::nonNull);
    }

    /** A connection that claimed or proved the name closed: the hold runs from its last connection. */
    void released(String name);

    /**
     * Lets go of a name claimed with {@code key} for a connection that never got its welcome, so
     * that the key nobody learnt does not hold it; nothing happens if the hold has another key now.
     */
    void unclaim(String name, String key);

    /** A new key: 256 random bits, URL-safe, so that it fits a query or a subprotocol. */
    static String newKey() {
        byte[] bytes = new byte[32];
        Random.SOURCE.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** What is stored of a key: its SHA-256, in hex. Comparing digests tells nothing of the key. */
    static String digest(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The random source of keys. */
    final class Random {
        static final SecureRandom SOURCE = new SecureRandom();

        private Random() {
        }
    }
}

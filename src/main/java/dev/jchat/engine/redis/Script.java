package dev.jchat.engine.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** One Lua script of the engine, from this package's resources, run by its digest. Immutable. */
final class Script {

    static final Script PUBLISH = new Script("publish.lua", ScriptOutputType.MULTI);
    static final Script LOAD = new Script("load.lua", ScriptOutputType.MULTI);
    static final Script PRESENCE = new Script("presence.lua", ScriptOutputType.MULTI);
    static final Script CLAIM = new Script("claim.lua", ScriptOutputType.VALUE);
    static final Script UNCLAIM = new Script("unclaim.lua", ScriptOutputType.INTEGER);
    static final Script OWNERS = new Script("owners.lua", ScriptOutputType.INTEGER);
    static final Script POSITIONS = new Script("positions.lua", ScriptOutputType.INTEGER);
    static final Script UNREAD = new Script("unread.lua", ScriptOutputType.MULTI);
    static final Script LEASE = new Script("lease.lua", ScriptOutputType.INTEGER);
    static final Script ACKED = new Script("acked.lua", ScriptOutputType.INTEGER);
    static final Script OFFLINE = new Script("offline.lua", ScriptOutputType.INTEGER);
    static final Script RELEASE = new Script("release.lua", ScriptOutputType.MULTI);
    static final Script ONLINE = new Script("online.lua", ScriptOutputType.MULTI);
    static final List<Script> ALL = List.of(PUBLISH, LOAD, PRESENCE, CLAIM, UNCLAIM, OWNERS, POSITIONS, UNREAD,
            RELEASE, LEASE, ACKED, OFFLINE, ONLINE);

    private final String source;
    private final String digest;
    private final ScriptOutputType output;

    private Script(String resource, ScriptOutputType output) {
        try (InputStream in = Script.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + resource);
            }
            this.source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            this.digest = HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        this.output = output;
    }

    /**
     * Runs the script by its digest. Redis must know it ({@link #load}): a script sent again by its
     * source after a NOSCRIPT could overtake those sent after it, and one room's scripts must run
     * in the order they were sent. The stage fails with Redis' error, or with the connection's.
     */
    <T> CompletionStage<T> run(RedisClusterAsyncCommands<String, String> redis, String[] keys, String... args) {
        return redis.<T>evalsha(digest, output, keys, args);
    }

    /** Makes Redis know the script, on every connect: a restarted Redis has forgotten it. */
    CompletionStage<String> load(RedisClusterAsyncCommands<String, String> redis) {
        return redis.scriptLoad(source);
    }

    /** Whether a command failed because Redis did not know its script. */
    static boolean unknown(Throwable error) {
        return unwrap(error) instanceof RedisNoScriptException;
    }

    /** Redis' time (ms) when {@code publish.lua} refused a message as late, or empty for any other outcome. */
    static OptionalLong late(Throwable error) {
        Throwable cause = unwrap(error);
        String message = cause instanceof RedisCommandExecutionException ? cause.getMessage() : null;
        if (message == null || !message.startsWith("LATE ")) {
            return OptionalLong.empty();
        }
        int end = message.indexOf(' ', 5);
        try {
            return OptionalLong.of(Long.parseLong(message.substring(5, end < 0 ? message.length() : end)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty(); // a LATE without its time: treated as any other failure
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}

package dev.jchat.engine.redis;

import dev.jchat.config.ChatConfig;
import dev.jchat.room.Names;
import dev.jchat.security.InputRules;
import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Who holds which name, in Redis ({@code claim.lua}, {@code unclaim.lua}, and the hold's hash
 * read as it is): holds outlive restarts and are one across servers. See docs/REDIS.md, "Claimed
 * names". Thread-safe.
 */
final class RedisNames implements Names {

    private static final System.Logger LOG = System.getLogger(RedisNames.class.getName());

    private final ChatConfig config;
    private final RedisLink link;
    private final RedisKeys keys;

    RedisNames(ChatConfig config, RedisLink link, RedisKeys keys) {
        this.config = config;
        this.link = link;
        this.keys = keys;
    }

    @Override
    public CompletionStage<Claim> claim(String user, String presentedKey) {
        String fresh = Names.newKey();
        String skeleton = InputRules.skeleton(user);
        // where a hold made before skeletons would be; a cluster (new in the version after them) has none,
        // and its two keys would be in two hash slots
        String before = config.engine().redisCluster() ? keys.name(skeleton) : keys.name(user);
        return link.call("claim", redis -> Script.CLAIM.<String>run(redis, new String[] {keys.name(skeleton), before},
                presentedKey == null ? "" : Names.digest(presentedKey), Names.digest(fresh), holdSeconds(),
                user, skeleton))
                .thenApply(outcome -> switch (outcome) {
                    case "claimed" -> new Claim(Outcome.CLAIMED, fresh);
                    case "proven" -> new Claim(Outcome.PROVEN, presentedKey);
                    default -> new Claim(Outcome.TAKEN, null);
                });
    }

    @Override
    public CompletionStage<Holder> holder(String user) {
        String skeleton = InputRules.skeleton(user);
        return link.call("held", redis -> redis.hmget(keys.name(skeleton), "digest", "name")).thenCompose(fields -> {
            if (fields.get(0).hasValue()) {
                // a hold made before skeletons has no name: its key was its spelling
                return CompletableFuture.completedFuture(new Holder(fields.get(1).getValueOrElse(skeleton),
                        fields.get(0).getValue()));
            }
            if (skeleton.equals(user)) {
                return CompletableFuture.completedFuture(null);
            }
            // one made before skeletons under this very spelling, not yet moved by its holder's claim
            return link.call("held", redis -> redis.hget(keys.name(user), "digest"))
                    .thenApply(digest -> digest == null ? null : new Holder(user, digest));
        });
    }

    @Override
    public void unclaim(String user, String key) {
        link.call("unclaim", redis -> Script.UNCLAIM.<Long>run(redis, new String[] {keys.name(InputRules.skeleton(user))},
                Names.digest(key)))
                .whenComplete((count, error) -> {
                    if (error != null) {
                        LOG.log(Level.DEBUG, "an unused claim was not let go: {0}", error.toString());
                    }
                });
    }

    @Override
    public void released(String user) {
        link.call("hold", redis -> redis.expire(keys.name(InputRules.skeleton(user)),
                Long.parseLong(holdSeconds()))).whenComplete((ok, error) -> {
            if (error != null) {
                LOG.log(Level.DEBUG, "a name''s hold was not renewed: {0}", error.toString());
            }
        });
    }

    private String holdSeconds() {
        return Long.toString(config.security().nameHoldDays() * 86_400L);
    }
}

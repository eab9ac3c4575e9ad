package dev.jchat.contract;

import static dev.jchat.OpsClient.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.OpsClient;
import dev.jchat.ServerExtension;
import dev.jchat.TestClient;
import dev.jchat.launcher.EmbeddedServer;
import dev.jchat.engine.redis.RedisServer;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an operator sees of the embedded launcher on Redis: the same counts, Redis' latency by
 * operation, and readiness that follows Redis going away and coming back.
 */
class EmbeddedRedisOpsTest extends OpsContract {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embeddedOnRedis(CONFIG);

    @Override
    protected URI chatUri() {
        return server.chatUri();
    }

    @Override
    protected URI pageUri() {
        return server.pageUri();
    }

    @Test
    void engineCallsAreTimedByOperation() throws Exception {
        try (TestClient ann = TestClient.connect(URI.create(chatUri() + "?user=Ann&room=timed"))) {
            ann.welcome();
            ann.say("timed");
            ann.nextChat();
            Map<String, Double> samples = ops().scrapeUntil(s -> value(s, "chat_engine_seconds_count{op=\"publish\"}") >= 1);
            for (String op : new String[] {"claim", "load", "presence", "publish"}) {
                assertTrue(value(samples, "chat_engine_seconds_count{op=\"" + op + "\"}") >= 1, () -> op + " timed: " + samples);
            }
            assertTrue(samples.containsKey("chat_engine_seconds_bucket{op=\"publish\",le=\"0.001048576\"}")
                    || samples.keySet().stream().anyMatch(k -> k.startsWith("chat_engine_seconds_bucket{op=\"publish\"")),
                    "a histogram, with buckets");
        }
    }

    @Test
    void notReadyWhileRedisIsDownThenReadyAgainWithoutARestart() throws Exception {
        try (RedisServer redis = RedisServer.start();
             EmbeddedServer own = EmbeddedServer.start(CONFIG.withPort(0)
                     .withEngine(CONFIG.engine().withRedis(redis.url(), "ops")))) {
            OpsClient ops = new OpsClient(own.pageUri(), null);
            assertEquals(200, ops.get("health/ready", null).statusCode());
            redis.stop();
            HttpResponse<String> down = awaitReady(ops, status -> status == 503);
            assertEquals(503, down.statusCode(), down.body());
            assertTrue(down.body().contains("engine is unreachable"), down.body());
            assertEquals(200, ops.get("health/live", null).statusCode(), "alive: a restart would not help");
            redis.startAgain();
            HttpResponse<String> back = awaitReady(ops, status -> status == 200);
            assertEquals(200, back.statusCode(), back.body());
        }
    }

    private static HttpResponse<String> awaitReady(OpsClient ops, IntPredicate status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        HttpResponse<String> answer = ops.get("health/ready", null);
        while (!status.test(answer.statusCode()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            answer = ops.get("health/ready", null);
        }
        return answer;
    }
}

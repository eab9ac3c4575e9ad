package dev.jchat.engine.redis;

import dev.jchat.ChatHub;
import dev.jchat.room.Audience;
import dev.jchat.room.RoomRegistry;
import dev.jchat.security.RefusedException;
import dev.jchat.message.ErrorCode;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The HTTP API's disconnect with Redis: the name's connections are on any server, so the request
 * goes on the notices channel to every server, this one included ({@link ChannelMessage.Disconnect});
 * each closes its own and answers how many ({@link ChannelMessage.Closed}). The caller learns how
 * many servers heard the request from {@code PUBLISH}'s answer and adds up their counts as they
 * come, for at most {@link #ANSWERS_WITHIN}: a server that heard it and did not answer in time
 * still closes its connections, which are then not counted (docs/API.md). Thread-safe.
 */
final class Disconnects {

    private static final System.Logger LOG = System.getLogger(Disconnects.class.getName());
    /** How long the caller waits for every server's count. */
    static final Duration ANSWERS_WITHIN = Duration.ofSeconds(2);

    private final ChatHub hub;
    private final RedisLink link;
    private final RedisKeys keys;
    private final ConcurrentMap<String, Asked> asked = new ConcurrentHashMap<>();

    Disconnects(ChatHub hub, RedisLink link, RedisKeys keys) {
        this.hub = hub;
        this.link = link;
        this.keys = keys;
    }

    /** Asks every server to close {@code user}'s connections; completes with how many they closed. */
    CompletionStage<Integer> ask(String user, String reason) {
        String request = Audience.newEpoch(); // random and short: it names this request on the channel
        Asked pending = new Asked();
        asked.put(request, pending);
        hub.schedule(() -> finish(request, true), ANSWERS_WITHIN);
        String message = new ChannelMessage.Disconnect(request, user, reason).text();
        link.call("disconnect", redis -> redis.spublish(keys.notices(), message)).whenComplete((servers, error) -> {
            if (error != null) {
                asked.remove(request);
                pending.answer.completeExceptionally(new RefusedException(ErrorCode.UNAVAILABLE, RoomRegistry.UNAVAILABLE));
            } else {
                pending.heardBy(servers);
                finishIfAnswered(request, pending);
            }
        });
        return pending.answer;
    }

    /** A request heard on the notices channel: closes the name's connections here, and says how many. */
    void heard(ChannelMessage.Disconnect request) {
        int closed = hub.disconnect(request.user(), request.reason());
        String message = new ChannelMessage.Closed(request.request(), closed).text();
        link.call("disconnect answer", redis -> redis.spublish(keys.notices(), message)).whenComplete((servers, error) -> {
            if (error != null) {
                hub.events().record(Level.WARNING, "disconnect counts not told to the asking server", error.toString());
            }
        });
    }

    /** A server's count for a request; one this server did not make (or gave up on) is not ours to count. */
    void answered(ChannelMessage.Closed answer) {
        Asked request = asked.get(answer.request());
        if (request != null) {
            request.answered(answer.closed());
            finishIfAnswered(answer.request(), request);
        }
    }

    private void finishIfAnswered(String request, Asked asked) {
        if (asked.complete()) {
            finish(request, false);
        }
    }

    private void finish(String request, boolean late) {
        Asked done = asked.remove(request);
        if (done != null) {
            if (late) {
                LOG.log(Level.INFO, "a disconnect was answered by {0} of {1} servers within {2} s; the others'' closes are not counted",
                        done.answers(), done.servers(), ANSWERS_WITHIN.toSeconds());
            }
            done.answer.complete(done.closed());
        }
    }

    /** One request's answers so far. */
    private static final class Asked {
        final CompletableFuture<Integer> answer = new CompletableFuture<>();
        private long servers = -1; // unknown until PUBLISH answers
        private int answers;
        private int closed;

        synchronized void heardBy(long servers) {
            this.servers = servers;
        }

        synchronized void answered(int closed) {
            answers++;
            this.closed += closed;
        }

        synchronized boolean complete() {
            return servers >= 0 && answers >= servers;
        }

        synchronized int closed() {
            return closed;
        }

        synchronized int answers() {
            return answers;
        }

        synchronized long servers() {
            return servers;
        }
    }
}

package dev.jchat.security;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.Resource;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URL;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The keys an identity provider publishes at {@code CHAT_JWT_JWKS_URL}: fetched at start, kept,
 * fetched again every hour and, at most once a minute, for a token whose key is not among them.
 * Nimbus fetches (with its timeouts and size limit) and parses; this class only decides when.
 *
 * <p>Why not Nimbus's {@code JWKSourceBuilder}: its fetches run on the thread that verifies, and
 * only when a token comes. A JWKS that is down at start would then keep {@code /health/ready} at
 * "not ready" until a token came, which a load balancer that waits for readiness never sends;
 * and a container thread would wait for the HTTP timeouts. Here every fetch runs on this class's
 * own thread: a handshake waits for one fetch at most {@link #WAIT}, concurrent ones share it,
 * and while no key set was ever fetched it tries again by itself (1 s, 2 s, 4 s ... 1 min).
 *
 * <p>Thread-safe: the keys are one volatile reference; the fetch in flight and the time of the
 * last fetch for an unknown key are guarded by {@code this}. Never logs a token.
 */
final class JwksKeys implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(JwksKeys.class.getName());
    /** The longest a handshake waits for a fetch of the keys. */
    static final Duration WAIT = Duration.ofSeconds(2);
    /** At most one fetch this often for keys the set does not hold. */
    static final Duration UNKNOWN_KEY_INTERVAL = Duration.ofMinutes(1);
    static final Duration REFRESH = Duration.ofHours(1);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final int CONNECT_MILLIS = 2_000;
    private static final int READ_MILLIS = 3_000;
    private static final int SIZE_LIMIT = 512 * 1024;

    private final URL url;
    private final String shown; // the URL for logs, without any user info
    private final DefaultResourceRetriever retriever =
            new DefaultResourceRetriever(CONNECT_MILLIS, READ_MILLIS, SIZE_LIMIT);
    private final ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, task -> {
        Thread t = new Thread(task, "chat-jwks");
        t.setDaemon(true);
        return t;
    });
    private volatile JWKSet keys; // null until a fetch succeeds
    private volatile boolean failing; // the last fetch failed: logged once, until one succeeds
    private CompletableFuture<JWKSet> inFlight;  // guarded by this
    private long lastForUnknown = Long.MIN_VALUE; // System.nanoTime() of the last fetch for an unknown key; guarded by this
    private Duration retry = FIRST_RETRY;         // the next pause while no keys are held; touched by the thread only
    private ScheduledFuture<?> retrying;          // the next try while no keys are held, or null; touched by the thread only

    JwksKeys(URL url) {
        this.url = url;
        this.shown = url.getProtocol() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + url.getPath();
        thread.setRemoveOnCancelPolicy(true);
        fetch(); // at start; the server does not wait for it
        thread.scheduleWithFixedDelay(this::fetch, REFRESH.toMillis(), REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Why tokens signed with these keys cannot be verified now, or null: no key set was ever fetched. */
    String notReady() {
        return keys == null ? "the JWKS at " + shown + " has not been fetched" : null;
    }

    /**
     * The keys that match: from the set held, or else from one fetch, waited for at most
     * {@link #WAIT}, when none is in flight and none was made for an unknown key within the last
     * minute (or one is in flight already: then that one).
     */
    List<JWK> select(JWKMatcher matcher) {
        JWKSelector selector = new JWKSelector(matcher);
        JWKSet held = keys;
        List<JWK> found = held == null ? List.of() : selector.select(held);
        if (!found.isEmpty()) {
            return found;
        }
        CompletableFuture<JWKSet> fetch = fetchForUnknownKey();
        if (fetch == null) {
            return List.of();
        }
        try {
            return selector.select(fetch.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (ExecutionException | TimeoutException e) {
            return List.of(); // the fetch failed (logged once by it) or is late: this token is refused
        }
    }

    private synchronized CompletableFuture<JWKSet> fetchForUnknownKey() {
        if (inFlight != null) {
            return inFlight;
        }
        long now = System.nanoTime();
        if (lastForUnknown != Long.MIN_VALUE && now - lastForUnknown < UNKNOWN_KEY_INTERVAL.toNanos()) {
            return null;
        }
        lastForUnknown = now;
        return fetch();
    }

    /** Starts a fetch on the JWKS thread, or returns the one in flight. */
    private synchronized CompletableFuture<JWKSet> fetch() {
        if (inFlight != null) {
            return inFlight;
        }
        CompletableFuture<JWKSet> fetch = new CompletableFuture<>();
        inFlight = fetch;
        try {
            thread.execute(() -> load(fetch));
        } catch (RejectedExecutionException e) {
            inFlight = null; // closed
            fetch.completeExceptionally(e);
        }
        return fetch;
    }

    /** On the JWKS thread: one fetch, its outcome kept, and logged when it changes. */
    private void load(CompletableFuture<JWKSet> fetch) {
        JWKSet loaded = null;
        Exception failure = null;
        try {
            Resource resource = retriever.retrieveResource(url);
            loaded = JWKSet.parse(resource.getContent()).toPublicJWKSet();
        } catch (IOException | ParseException | RuntimeException e) {
            failure = e;
        }
        if (loaded != null) {
            JWKSet before = keys;
            keys = loaded; // before the fetch is done: a handshake that finds none in flight finds these keys
            done();
            retry = FIRST_RETRY;
            if (failing || before == null) {
                LOG.log(Level.INFO, "the JWKS at {0} answered: {1} key(s); tokens signed with them are accepted",
                        shown, loaded.size());
            }
            failing = false;
            fetch.complete(loaded);
            return;
        }
        done();
        String why = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        if (!failing) {
            failing = true;
            LOG.log(Level.WARNING, keys == null
                    ? "the JWKS at {0} cannot be fetched ({1}): tokens it signs are refused and /health/ready says not"
                            + " ready until it answers; trying again by itself"
                    : "the JWKS at {0} cannot be fetched ({1}): keeping the keys fetched before until it answers",
                    shown, why);
        } else {
            LOG.log(Level.DEBUG, "the JWKS at {0} still cannot be fetched: {1}", shown, why);
        }
        if (keys == null && (retrying == null || retrying.isDone())) { // one chain of tries, whoever else fetches
            Duration pause = retry;
            retry = retry.multipliedBy(2).compareTo(UNKNOWN_KEY_INTERVAL) > 0 ? UNKNOWN_KEY_INTERVAL : retry.multipliedBy(2);
            try {
                retrying = thread.schedule(() -> {
                    fetch();
                }, pause.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                LOG.log(Level.DEBUG, "not fetching the JWKS again: closed");
            }
        }
        fetch.completeExceptionally(failure);
    }

    private synchronized void done() {
        inFlight = null;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}

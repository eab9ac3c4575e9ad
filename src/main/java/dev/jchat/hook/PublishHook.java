package dev.jchat.hook;

import dev.jchat.config.ChatConfig;
import dev.jchat.logging.RepeatedEvents;
import dev.jchat.message.ClientFrame;
import dev.jchat.metrics.ChatMetrics;
import dev.jchat.security.InputRules;
import dev.jchat.security.RefusedException;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application's publish hook ({@code CHAT_PUBLISH_HOOK_URL}, docs/API.md): one POST per chat
 * message or edit, {@code {"room","user","msg","edit"}}, answered {@code allow}, {@code replace}
 * or {@code reject}. Each call is asynchronous ({@link HttpClient#sendAsync}) with the timeout on
 * the request and on its whole answer, so no thread waits for the hook; a failure (no answer in
 * time, an answer that is none of the three, the hook unreachable) is decided by
 * {@code CHAT_PUBLISH_HOOK_FAILURE}, logged (summarised when repeated, never with the message's
 * text) and counted. Thread-safe.
 */
public final class PublishHook {

    /** Calls waiting for the hook at most: past them a message is a failure at once ({@code failure-overload}). */
    static final int MAX_IN_FLIGHT = 5_000;
    /** What a rejected sender is told when the hook gave no reason. */
    static final String NO_REASON = "the application did not accept this message";
    /** What a sender is told when a failure rejects its message ({@code CHAT_PUBLISH_HOOK_FAILURE=reject}). */
    static final String FAILED_REASON = "the message could not be checked: try again later";

    /**
     * What a message becomes: published with {@code text}, or refused for {@code reason} (exactly
     * one of them is null); {@code outcome} is how it was decided, as the metric counts it.
     */
    public record Verdict(String outcome, String text, String reason) {

        static Verdict publish(String outcome, String text) {
            return new Verdict(outcome, text, null);
        }

        static Verdict reject(String outcome, String reason) {
            return new Verdict(outcome, null, reason);
        }

        /** A message that does not ask the hook (a deletion, a reaction): as sent. */
        static Verdict unasked() {
            return new Verdict("unasked", null, null);
        }

        public boolean rejected() {
            return reason != null;
        }
    }

    /** A call that failed: its outcome for the metric and what the log says of it (never a message's text). */
    private static final class Failure extends RuntimeException {
        final String outcome;

        Failure(String outcome, String detail) {
            super(detail, null, false, false);
            this.outcome = outcome;
        }
    }

    private final URI url;
    private final Duration timeout;
    private final boolean rejectOnFailure;
    private final int maxChars;
    private final HttpClient client;
    private final Executor executor;
    private final ChatMetrics metrics;
    private final RepeatedEvents events;
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * @param executor where the client's own work and every answer's consequences run: never a
     *                 thread that waits for the hook
     */
    PublishHook(ChatConfig config, Executor executor, ChatMetrics metrics, RepeatedEvents events) {
        this.url = URI.create(config.publishHookUrl());
        this.timeout = Duration.ofMillis(config.publishHookTimeoutMs());
        this.rejectOnFailure = config.publishHookFailure() == ChatConfig.HookFailure.REJECT;
        this.maxChars = config.maxMessageChars();
        this.executor = executor;
        this.metrics = metrics;
        this.events = events;
        // HTTP/1.1: a hook is most often a plain-HTTP service nearby, and HTTP/2's upgrade from
        // plain HTTP costs a round trip; the client keeps connections open between calls.
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .executor(executor).build();
    }

    /**
     * Asks the hook about a message: {@code edit} is the id of the message it edits, or null for a
     * chat message. Completes (on the executor) with what the message becomes; never fails.
     */
    CompletableFuture<Verdict> ask(String room, String user, String text, Long edit) {
        long start = System.nanoTime();
        if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
            inFlight.decrementAndGet();
            return CompletableFuture.completedFuture(failed(new Failure("failure-overload",
                    MAX_IN_FLIGHT + " calls were waiting for it already"), text, start));
        }
        JsonObjectBuilder body = Json.createObjectBuilder().add("room", room).add("user", user).add("msg", text);
        if (edit == null) {
            body.addNull("edit");
        } else {
            body.add("edit", edit);
        }
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.build().toString()))
                .build();
        CompletableFuture<HttpResponse<String>> call;
        try {
            call = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        } catch (RuntimeException e) { // the client refused the request before sending it
            call = CompletableFuture.failedFuture(e);
        }
        // The request's timeout ends the wait for the answer's head; this one bounds its body too.
        return call.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handleAsync((response, error) -> {
                    inFlight.decrementAndGet();
                    try {
                        Verdict verdict = decide(response, error, text);
                        metrics.hookAnswered(verdict.outcome(), start);
                        return verdict;
                    } catch (Failure failure) {
                        return failed(failure, text, start);
                    }
                }, executor);
    }

    /** The answer's verdict, or the failure it is. */
    private Verdict decide(HttpResponse<String> response, Throwable error, String text) {
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
                throw new Failure("failure-timeout", "no answer within " + timeout.toMillis() + " ms");
            }
            throw new Failure("failure-unreachable", cause.getClass().getName()); // its message may hold the URL's query
        }
        if (response.statusCode() / 100 != 2) {
            throw new Failure("failure-bad-answer", "status " + response.statusCode());
        }
        JsonObject answer;
        try (JsonReader reader = Json.createReader(new StringReader(response.body()))) {
            answer = reader.readObject();
        } catch (JsonException | IllegalStateException e) {
            throw new Failure("failure-bad-answer", "the answer is not a JSON object");
        }
        String action = string(answer, "action");
        if ("allow".equals(action)) {
            return Verdict.publish("allow", text);
        }
        if ("replace".equals(action)) {
            String msg = string(answer, "msg");
            if (msg == null) {
                throw new Failure("failure-bad-answer", "replace without msg");
            }
            try {
                return Verdict.publish("replace", InputRules.message(msg, maxChars));
            } catch (RefusedException e) {
                throw new Failure("failure-bad-answer", "replace with a text the message rules refuse: " + e.code().wire());
            }
        }
        if ("reject".equals(action)) {
            String reason = string(answer, "reason");
            reason = reason == null || reason.isBlank() ? NO_REASON : reason.strip();
            if (reason.codePointCount(0, reason.length()) > ClientFrame.Moderate.MAX_REASON) {
                throw new Failure("failure-bad-answer", "reject with a reason over " + ClientFrame.Moderate.MAX_REASON
                        + " characters");
            }
            return Verdict.reject("reject", reason);
        }
        throw new Failure("failure-bad-answer", "action is not allow, replace or reject");
    }

    private static String string(JsonObject answer, String field) {
        JsonValue value = answer.get(field);
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        if (value instanceof JsonString string) {
            return string.getString();
        }
        throw new Failure("failure-bad-answer", field + " is not a string");
    }

    /** What a failure comes to, by {@code CHAT_PUBLISH_HOOK_FAILURE}: logged, counted. */
    private Verdict failed(Failure failure, String text, long start) {
        metrics.hookAnswered(failure.outcome, start);
        events.record(Level.WARNING, "the publish hook failed (" + failure.outcome + "), the message "
                + (rejectOnFailure ? "rejected" : "allowed"), failure.getMessage());
        return rejectOnFailure ? Verdict.reject(failure.outcome, FAILED_REASON) : Verdict.publish(failure.outcome, text);
    }
}

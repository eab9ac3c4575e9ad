package dev.jchat.hook;

import dev.jchat.config.ChatConfig;
import dev.jchat.connection.Frame;
import dev.jchat.connection.Member;
import dev.jchat.connection.Threads;
import dev.jchat.logging.RepeatedEvents;
import dev.jchat.message.ChatMessage;
import dev.jchat.message.ErrorCode;
import dev.jchat.metrics.ChatMetrics;
import dev.jchat.room.Audience;
import dev.jchat.room.Room;
import dev.jchat.room.RoomLog;
import dev.jchat.room.RoomRegistry;
import dev.jchat.security.RefusedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one way a chat message, an edit, a deletion or a reaction goes from a connection
 * ({@code ChatEndpoint}) or the HTTP API ({@code ApiAnswers}) to its room, the same for both
 * engines: straight to the {@link Room} or {@link RoomRegistry} without a publish hook; with one,
 * each message and edit through the {@link PublishHook}, and every one of them, in each room, in
 * the order it came ({@link RoomLanes}: deletions and reactions wait their turn too, so that a
 * connection's edit and deletion of one message, sent back to back, come in that order; and so
 * does a connection's leaving, so that what it sent just before it unsubscribed or closed is
 * still published). A sender's rate limit and mute were checked before, as the frame came.
 * Thread-safe.
 */
public final class Publishing implements AutoCloseable {

    /** What a rejected sender's error says besides the hook's reason. */
    static final String REJECTED = "the application refused this message";

    private final PublishHook hook; // null: no hook
    private final RoomLanes lanes;
    private final ExecutorService executor; // null: no hook

    private Publishing(PublishHook hook, ExecutorService executor) {
        this.hook = hook;
        this.executor = executor;
        this.lanes = new RoomLanes(executor);
    }

    /** Through the hook of {@code CHAT_PUBLISH_HOOK_URL}, or straight to the rooms when it is unset. */
    public static Publishing of(ChatConfig config, ChatMetrics metrics, RepeatedEvents events, Threads threads) {
        if (config.publishHookUrl() == null) {
            return new Publishing(null, null);
        }
        // The HTTP client's work and every verdict's consequences (a message published) run here;
        // none of it waits for anything, so the pool stays as small as the load.
        ExecutorService executor = Executors.newCachedThreadPool(threads.daemons("chat-hook-"));
        return new Publishing(new PublishHook(config, executor, metrics, events), executor);
    }

    /** A member's chat message of {@code text} in the room, as {@code user}; {@code asked} the frame's room, as written. */
    public void publish(Room room, Member from, String user, String text, String asked) {
        if (hook == null) {
            room.publish(from, text);
            return;
        }
        lanes.queue(room.name(), hook.ask(room.name(), user, text, null), verdict -> {
            if (verdict.rejected()) {
                from.sendError(ErrorCode.REJECTED, REJECTED, asked, null, verdict.reason());
            } else {
                room.publish(from, verdict.text());
            }
            return done();
        });
    }

    /** A member's edit (through the hook), deletion or reaction (in their turn) in the room. */
    public void amend(Room room, Member from, RoomLog.Amend amend, String asked) {
        if (hook == null) {
            room.amend(from, amend);
            return;
        }
        CompletableFuture<PublishHook.Verdict> verdict = amend instanceof RoomLog.Edit edit
                ? hook.ask(room.name(), from.name(), edit.text(), edit.target())
                : CompletableFuture.completedFuture(PublishHook.Verdict.unasked());
        lanes.queue(room.name(), verdict, decided -> {
            if (decided.rejected()) {
                from.sendError(ErrorCode.REJECTED, REJECTED, asked, null, decided.reason());
            } else {
                room.amend(from, amend instanceof RoomLog.Edit edit && decided.text() != null
                        ? new RoomLog.Edit(edit.target(), decided.text()) : amend);
            }
            return done();
        });
    }

    /**
     * A member leaves the room ({@link Room#leave}): with a hook, after its messages still waiting
     * there, which a room publishes only for its members.
     */
    public void leave(Room room, Member member, Frame farewell) {
        if (hook == null) {
            room.leave(member, farewell);
            return;
        }
        lanes.queue(room.name(), CompletableFuture.completedFuture(PublishHook.Verdict.unasked()), unasked -> {
            room.leave(member, farewell);
            return done();
        });
    }

    /**
     * The HTTP API's post of {@code text} by {@code user} ({@link RoomRegistry#post}); a rejection
     * fails with a {@link RefusedException} {@code rejected} carrying the hook's reason. The room's
     * next messages wait until the engine answered, so that this one is numbered before them.
     */
    public CompletionStage<RoomRegistry.Posted> post(RoomRegistry rooms, String room, String user, String text) {
        if (hook == null) {
            return rooms.post(ChatMessage.fromApi(user, Audience.now(), text, room));
        }
        CompletableFuture<RoomRegistry.Posted> posted = new CompletableFuture<>();
        lanes.queue(room, hook.ask(room, user, text, null), verdict -> {
            if (verdict.rejected()) {
                posted.completeExceptionally(new RefusedException(ErrorCode.REJECTED, verdict.reason()));
                return done();
            }
            CompletionStage<RoomRegistry.Posted> post;
            try {
                post = rooms.post(ChatMessage.fromApi(user, Audience.now(), verdict.text(), room));
            } catch (RuntimeException e) {
                post = CompletableFuture.failedFuture(e);
            }
            return post.whenComplete((result, error) -> {
                if (error != null) {
                    posted.completeExceptionally(error);
                } else {
                    posted.complete(result);
                }
            });
        });
        return posted;
    }

    /** Rooms with messages waiting for the hook or their turn: for tests that look for leaks. */
    public int waiting() {
        return lanes.waiting();
    }

    /** Stops the hook's threads; what still waits for the hook is not published. */
    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    private static CompletionStage<Void> done() {
        return CompletableFuture.completedFuture(null);
    }
}

package dev.jchat.engine.redis;

import dev.jchat.logging.Field;
import dev.jchat.message.ChatMessage;
import dev.jchat.message.ErrorCode;
import dev.jchat.message.FrameEncoder;
import dev.jchat.message.LogEntry;
import dev.jchat.message.Notice;
import dev.jchat.room.Audience;
import dev.jchat.room.Direct;
import dev.jchat.connection.Frame;
import dev.jchat.connection.Member;
import dev.jchat.room.Names;
import dev.jchat.room.Peers;
import dev.jchat.room.Positions;
import dev.jchat.room.Room;
import dev.jchat.room.RoomLog;
import dev.jchat.room.RoomRegistry;
import dev.jchat.room.Sanctions;
import jakarta.websocket.CloseReason;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this server holds of a room that lives in Redis: its {@link Audience}, fed in id order
 * from the room's channel, with gaps filled from its stream.
 *
 * <p>Every event of the room (a join, a message from a member, one from the channel, a reply of
 * Redis) is a task on the room's {@link Serial}, so its state needs no lock, and Redis is only
 * ever called asynchronously ({@link RoomCalls}).
 *
 * <p>Three strands, in this order below: joins and namings on their way ({@link Waiting}:
 * {@code settled}, {@code owned}, {@code joinReady}, and {@code awaitingCopy} for a client that
 * saw more than the copy); syncs ({@code sync}, {@code synced}, {@code applySnapshot}: a
 * {@link Snapshot} read by {@code load.lua}); and the channel ({@code handle}, one
 * {@link ChannelMessage} at a time, with what came ahead of a gap {@code held} until a sync fills
 * it, and {@code lose} when Redis gave an id twice).
 *
 * <p>Edits, deletions and reactions ({@code amend}) are decided by {@link RoomLog} on the message
 * as Redis holds it now, and appended by {@code publish.lua} only if it is still that: on a
 * conflict the decision is made again on what the script answered it is now, a few times at most.
 */
final class RedisRoom implements Room {

    private static final System.Logger LOG = System.getLogger(RedisRoom.class.getName());
    /** Redis lost the room (its epoch changed): its members come back to the new sequence. */
    static final CloseReason RESTARTED = new CloseReason(CloseReason.CloseCodes.SERVICE_RESTART, "room restarted");
    /** How long a join whose client saw more than this server's copy waits for the copy to catch up. */
    static final Duration CATCH_UP = Duration.ofSeconds(2);
    /**
     * Decisions an amendment makes at most when other servers change the message meanwhile (each
     * on the message as Redis answered it is now); then it is unavailable. The deadline of a
     * message bounds them too.
     */
    static final int AMEND_TRIES = 8;
    /** In {@link #held}: an id a sync found with nothing to deliver (an edit gone with its message), not a loss. */
    private static final Frame FORGOTTEN = Frame.of("");

    private final RedisRooms engine;
    private final RoomCalls calls;
    private final String name;
    private final Audience audience;
    /** The room's mutes and bans: loaded from Redis with the room, then changed by its moderation entries. */
    private final Sanctions sanctions = new Sanctions();
    private final Serial serial;
    /** Joins handed to the room and not yet handled: the engine does not retire it meanwhile. */
    final AtomicInteger incoming = new AtomicInteger();

    // Touched only by the room's tasks.
    private boolean synced;                                    // the audience holds what Redis had at a sync
    private boolean syncing;
    private boolean syncAgain;                                 // a sync was asked for while one was on its way
    private final List<Waiting> waiting = new ArrayList<>();   // joins and namings on their way, in order
    private final List<String> early = new ArrayList<>();      // channel messages that came before it
    private final TreeMap<Long, Frame> held = new TreeMap<>(); // messages that came ahead of a gap
    private final List<String> presenceChanges = new ArrayList<>();
    private long presenceVersion;
    private long syncsStarted;                                 // syncs of the room sent to Redis, numbered
    private long syncsDone;                                    // the last of them that came back, read or failed
    private long syncsRead;                                    // the last of them that read the room
    private long lastCatchUp = System.nanoTime() - CATCH_UP.toNanos(); // when a join last made the copy sync
    // One amendment on its way at a time: each is decided on what the one before it did (a
    // connection's reaction and its clearing, sent back to back, come in that order); a message
    // sent meanwhile waits its turn behind them (its command is sent at once once it is its turn:
    // Redis runs one connection's commands in order).
    private final ArrayDeque<Runnable> amendments = new ArrayDeque<>();
    private boolean amending;
    private boolean lost;  // Redis holds another message than the copy at one of its ids: told by the next sync

    RedisRoom(RedisRooms engine, String name, Serial serial, int historySize, int replay) {
        this.engine = engine;
        this.calls = engine.calls();
        this.name = name;
        this.serial = serial;
        this.audience = Audience.shared(this, historySize, engine.historyBudget(), replay, new Audience.SharedPresence() {
            @Override
            public void here(String user) {
                presenceChanges.add("+" + user);
                engine.presence().expect(name); // told at the task's end; a directory read waits for it
            }

            @Override
            public void gone(String user) {
                presenceChanges.add("-" + user);
                engine.presence().expect(name);
            }
        }, engine.timer(), engine.sends(), sanctions);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Peers peers() {
        return engine.hub().peers();
    }

    // --- from the engine and the endpoint, on any thread

    /** Joins once the room is synced (its name is settled already); {@link #incoming} was counted up for it. */
    void join(Member member, Long since, String epoch) {
        serial.execute(() -> {
            incoming.decrementAndGet();
            Waiting join = new Waiting(member, since, epoch, true);
            waiting.add(join);
            settled(join);
            afterTask();
        });
    }

    /**
     * A connection names itself by its first message: with a name nobody holds, for itself alone.
     * What it sends meanwhile waits for the answer; a second naming while one is on its way (its
     * next frames, sent before the answer came) changes nothing.
     */
    @Override
    public void name(Member member, String user) {
        serial.execute(() -> {
            if (member.name() != null || naming(member)) {
                return;
            }
            Waiting naming = new Waiting(member, null, null, false);
            waiting.add(naming);
            engine.names().held(user).whenComplete((held, error) -> serial.execute(() -> {
                if (waiting.remove(naming)) {
                    if (error != null) {
                        calls.joinFailed(error);
                        member.refuse(ErrorCode.UNAVAILABLE, RoomRegistry.UNAVAILABLE);
                    } else if (held) {
                        member.refuse(ErrorCode.NAME_TAKEN, Names.TAKEN);
                    } else {
                        if (audience.contains(member)) {
                            audience.name(member, user);
                        } else {
                            member.name(user); // still joining: counted as it joins
                        }
                        engine.named(member);
                        naming.later.forEach(request -> runOrWait(member, request));
                    }
                }
                afterTask();
            }));
        });
    }

    @Override
    public void amend(Member from, RoomLog.Amend amend) {
        long giveUpAt = calls.deadline(); // as a message's: from when it came, whatever the tries
        whenIn(from, () -> {
            amendments.add(() -> amendNow(from, amend, giveUpAt));
            nextAmendment();
        });
    }

    /**
     * Appends the moderation entry the way an amendment goes, in its turn among them: every server
     * applies it as it reaches its copy, and {@code publish.lua} keeps a mute or ban in the room's
     * sanctions in the same step, for the servers that load the room later.
     */
    @Override
    public void moderate(Member by, String action, String user, Instant until, String reason) {
        long giveUpAt = calls.deadline();
        whenIn(by, () -> {
            amendments.add(() -> moderateNow(by, new LogEntry.Moderation(name, 0, action, user, by.name(), until,
                    reason, Audience.now()), giveUpAt));
            nextAmendment();
        });
    }

    private void moderateNow(Member by, LogEntry.Moderation entry, long giveUpAt) {
        if (!audience.contains(by)) {
            amended(); // it left meanwhile
            return;
        }
        moderateNow(entry, giveUpAt).whenComplete((id, error) -> {
            if (error != null) {
                by.sendError(ErrorCode.UNAVAILABLE, RoomRegistry.UNAVAILABLE, name);
            }
        });
    }

    /** In a task: appends the moderation entry; the next amendment starts once it is in (or failed). Answers its id. */
    private CompletionStage<Long> moderateNow(LogEntry.Moderation entry, long giveUpAt) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        calls.amend(name, entry, null, null, audience.epoch(), audience.lastId(), giveUpAt)
                .whenComplete((amended, error) -> serial.execute(() -> {
                    if (error != null) {
                        calls.refusedMessage(error);
                        done.completeExceptionally(error);
                    } else {
                        done.complete(amended.id());
                    }
                    amended();
                }));
        return done;
    }

    /** The HTTP API's moderation ({@link RedisRooms#moderate}), in its turn among the room's amendments. */
    CompletionStage<Long> moderate(LogEntry.Moderation entry) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        long giveUpAt = calls.deadline();
        serial.execute(() -> {
            amendments.add(() -> moderateNow(entry, giveUpAt).whenComplete((id, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                } else {
                    done.complete(id);
                }
            }));
            nextAmendment();
            afterTask();
        });
        return done;
    }

    @Override
    public Sanctions.Sanction muted(String user) {
        return audience.muted(user);
    }

    @Override
    public void publish(Member from, String text) {
        // published once it is in, if it is still joining: it sees its own message
        whenIn(from, () -> {
            if (amending) { // after the amendments before it, as they came (rare: mostly sent at once)
                amendments.add(() -> {
                    if (audience.contains(from)) { // not after it left
                        publishNow(from, text);
                    }
                    amended();
                });
            } else {
                publishNow(from, text);
            }
        });
    }

    /** The HTTP API's post ({@link RedisRooms#post}), in the room's order of tasks: after what came before it. */
    CompletionStage<RoomRegistry.Posted> post(ChatMessage message) {
        CompletableFuture<RoomRegistry.Posted> posted = new CompletableFuture<>();
        serial.execute(() -> {
            calls.publish(message, audience.epoch(), audience.lastId()).whenComplete((done, error) -> {
                if (error != null) {
                    calls.refusedMessage(error);
                    posted.completeExceptionally(error);
                } else {
                    posted.complete(done);
                }
            });
            afterTask();
        });
        return posted;
    }

    /**
     * The HTTP API's deletion ({@link RedisRooms#delete}), in its turn among the room's amendments,
     * decided on the message as Redis holds it, as a member's. Answers the entry's id.
     */
    CompletionStage<Long> delete(long id) {
        CompletableFuture<Long> deleted = new CompletableFuture<>();
        long giveUpAt = calls.deadline();
        serial.execute(() -> {
            amendments.add(() -> {
                String epoch = audience.epoch();
                long seenId = audience.lastId();
                RoomLog.Amend amend = new RoomLog.Delete(id);
                calls.message(name, id)
                        .thenCompose(read -> calls.amend(name, RoomRegistry.API_USER, true, amend, read, epoch, seenId,
                                giveUpAt, AMEND_TRIES))
                        .whenComplete((decision, error) -> serial.execute(() -> {
                            RoomCalls.settle(deleted, decision, error);
                            amended();
                        }));
            });
            nextAmendment();
            afterTask();
        });
        return deleted;
    }

    /** A page of this server's copy of the log, as a version-3 connection is answered it. */
    Audience.Page page(Long before, int limit) {
        return audience.page(true, before, limit);
    }

    /** The cluster's names online in the room, as this server's copy holds them, sorted. */
    List<String> online() {
        return audience.online();
    }

    @Override
    public void typing(Member from) {
        long now = System.nanoTime();
        whenIn(from, () -> {
            if (audience.mayType(from, now)) {
                calls.typing(name, from.name());
            }
        });
    }

    @Override
    public long lastId() {
        return audience.lastId();
    }

    @Override
    public Positions.Unread unread(String user, long read) {
        return audience.unread(user, read, Positions.MAX_UNREAD);
    }

    @Override
    public void history(Member to, Long before, int limit) {
        whenIn(to, () -> audience.history(to, before, limit));
    }

    /** Runs a member's request once it is in the room and named: now, or once it is; never for one that left. */
    private void whenIn(Member member, Runnable request) {
        serial.execute(() -> {
            runOrWait(member, request);
            afterTask();
        });
    }

    /** In a task: runs the request, or queues it behind the member's join or naming still on its way. */
    private void runOrWait(Member member, Runnable request) {
        Waiting pending = waitingOf(member);
        if (pending != null) {
            pending.later.add(request);
        } else if (audience.contains(member)) {
            request.run();
        }
    }

    @Override
    public void leave(Member member, Frame farewell) {
        serial.execute(() -> {
            waiting.removeIf(w -> w.member == member);
            audience.leave(member, farewell);
            afterTask();
        });
    }

    /** A message on the room's channel. */
    void received(String message) {
        serial.execute(() -> {
            if (!synced) {
                early.add(message);
            } else {
                handle(message);
            }
            afterTask();
        });
    }

    /** The room's channel is subscribed (again): whatever Redis has that this server missed, it gets now. */
    void subscribed() {
        serial.execute(this::sync);
    }

    /** Redis answers commands again: a synced room reads what it may have missed. */
    void reconnected() {
        serial.execute(() -> {
            if (synced) {
                sync();
            }
        });
    }

    /**
     * The subscription failed. Before the first sync, those waiting to join are told the chat is
     * unavailable; a synced room subscribes again a second later.
     */
    void subscribeFailed(Throwable error) {
        serial.execute(() -> {
            if (synced) {
                calls.syncFailed(name, error);
                engine.channels().resubscribeLater(this);
            } else {
                refuseWaiting();
            }
            afterTask();
        });
    }

    /** Tells Redis again which names are here, and lets it expire those of servers gone silent. */
    void refreshPresence() {
        serial.execute(() -> {
            if (synced) {
                audience.refreshPresence();
                engine.presence().tell(name, List.copyOf(presenceChanges)); // even with none: the sweep
                presenceChanges.clear();
            }
        });
    }

    // --- tasks

    /** Joins, in order, every waiting member whose name is settled; the room is synced. */
    private void joinReady() {
        for (Waiting join : List.copyOf(waiting)) {
            if (join.joining && join.ready && join.afterLoad <= syncsRead && !awaitingCopy(join)) {
                waiting.remove(join);
                if (audience.join(join.member, join.since, join.epoch) == Audience.Joined.IN) {
                    join.later.forEach(request -> runOrWait(join.member, request));
                }
            }
        }
    }

    /**
     * Whether the join waits for this server's copy: its client saw more of the room than the copy
     * holds (an id above it in its epoch, or another epoch), which another server may have given it
     * before this one's channel brought it here. The copy syncs, and the join is answered after
     * that sync, or after {@link #CATCH_UP} at most. An id Redis does not hold even then is that
     * client's own answer ({@code recovered: false}): what a client says it saw is never taken as
     * evidence that Redis lost the room, or any client could restart a room for everyone in it.
     */
    private boolean awaitingCopy(Waiting join) {
        if (join.since == null || join.caughtUp) {
            return false;
        }
        boolean sameEpoch = join.epoch == null || join.epoch.equals(audience.epoch()); // none: the current one
        if (sameEpoch && join.since <= audience.lastId()) {
            return false;
        }
        if (join.afterSync < 0) {
            // What a client claims to have seen starts at most one full read of the room per
            // CATCH_UP, or any client could keep Redis and this room reloading back to back: within
            // that time a join shares the catch-up on its way, or, with none, gets what it read.
            long now = System.nanoTime();
            boolean recent = now - lastCatchUp < CATCH_UP.toNanos();
            if (recent && !syncing) {
                join.caughtUp = true;
                return false;
            } else if (recent) {
                join.afterSync = syncsStarted; // the one on its way
            } else {
                lastCatchUp = now;
                join.afterSync = syncsStarted + 1; // the next one to start: a sync on its way read too early
                sync();
            }
            engine.timer().accept(() -> serial.execute(() -> {
                if (waiting.contains(join)) {
                    join.caughtUp = true;
                    if (synced) {
                        joinReady();
                    }
                }
                afterTask();
            }), CATCH_UP);
            return true;
        }
        if (syncsDone >= join.afterSync) {
            join.caughtUp = true;
            return false;
        }
        return true;
    }

    /**
     * The join's name is settled: it joins once the room is synced (else the first sync, which
     * follows the subscription, joins it), after the rules of a direct conversation if this is one.
     */
    private void settled(Waiting join) {
        if (!Direct.is(name)) {
            ready(join);
            return;
        }
        Direct.admission(name, join.member, engine.names(), engine.hub().peers()).whenComplete((admission, error) -> serial.execute(() -> {
            if (!waiting.contains(join)) {
                // it closed, or left, meanwhile: nothing to do
            } else if (error != null || admission.refusal() != null) {
                waiting.remove(join);
                if (error != null) {
                    calls.joinFailed(error);
                    join.member.refuseJoin(name, ErrorCode.UNAVAILABLE, RoomRegistry.UNAVAILABLE);
                } else {
                    join.member.refuseJoin(name, admission.refusal().code(), admission.refusal().getMessage());
                }
            } else if (admission.owners() == null) {
                ready(join);
            } else {
                owned(join, admission.owners());
            }
            afterTask();
        }));
    }

    /**
     * Records the claims the conversation belongs to before the join; when it started over for
     * them, the join waits for a load read after that, so that its welcome and history are the
     * new epoch's, never the old claimant's messages.
     */
    private void owned(Waiting join, String owners) {
        calls.owners(name, owners).whenComplete((startedOver, error) -> serial.execute(() -> {
            if (!waiting.contains(join)) {
                // it closed, or left, meanwhile: nothing to do
            } else if (error != null) {
                waiting.remove(join);
                calls.joinFailed(error);
                join.member.refuseJoin(name, ErrorCode.UNAVAILABLE, RoomRegistry.UNAVAILABLE);
            } else if (startedOver) {
                join.afterLoad = syncsStarted + 1; // the next sync sent, whether one is on its way or not
                join.ready = true;
                if (synced || syncing) {
                    sync(); // else the first load, once the channel is subscribed, is the one
                }
            } else {
                ready(join);
            }
            afterTask();
        }));
    }

    private void ready(Waiting join) {
        join.ready = true;
        if (synced) {
            joinReady();
        }
    }

    /** Before the first sync: every join waiting is refused as unavailable (it may try again). */
    private void refuseWaiting() {
        for (Waiting join : waiting) {
            if (join.joining) { // a naming waits only behind its member's join, refused here
                join.member.refuseJoin(name, ErrorCode.UNAVAILABLE, RoomRegistry.UNAVAILABLE);
            }
        }
        waiting.clear();
        early.clear();
    }

    private void publishNow(Member from, String text) {
        if (from.name() == null) {
            return; // its naming was refused
        }
        calls.publish(name, from.name(), text, audience.epoch(), audience.lastId()).whenComplete((id, error) -> {
            if (error != null) {
                calls.refusedMessage(error);
                from.sendError(ErrorCode.UNAVAILABLE, RoomRegistry.UNAVAILABLE, name);
                return;
            }
            if (Direct.is(name)) {
                calls.notice(Direct.other(name, from.name()), name, new Notice(name, from.name(), id, text));
            }
        });
    }

    /**
     * In a task: reads the message, decides on it as it is now, and appends the entry if Redis
     * still holds it so; the entry comes back on the channel like a message. A refusal goes to the
     * member with the room, as on the memory engine.
     */
    private void amendNow(Member from, RoomLog.Amend amend, long giveUpAt) {
        String user = from.name();
        if (user == null || !audience.contains(from)) {
            amended(); // its naming was refused, or it left meanwhile
            return;
        }
        String epoch = audience.epoch();
        long seenId = audience.lastId();
        calls.message(name, amend.target())
                .thenCompose(read -> calls.amend(name, user, from.moderator(), amend, read, epoch, seenId, giveUpAt,
                        AMEND_TRIES))
                .whenComplete((decision, error) -> serial.execute(() -> {
                    if (error != null) {
                        calls.refusedMessage(error);
                        from.sendError(ErrorCode.UNAVAILABLE, RoomRegistry.UNAVAILABLE, name);
                    } else if (decision.refusal() != null) {
                        from.sendError(decision.refusal(), decision.why(), name);
                    }
                    amended();
                }));
    }

    /** In a task: the amendment on its way is done; the next one starts. */
    private void amended() {
        amending = false;
        nextAmendment();
        afterTask();
    }

    private void nextAmendment() {
        if (!amending && !amendments.isEmpty()) {
            amending = true;
            amendments.poll().run();
        }
    }

    private void sync() {
        if (syncing) {
            syncAgain = true; // what this one reads may predate the reason for it
            return;
        }
        syncing = true;
        long number = ++syncsStarted;
        // what this server saw of the room: Redis starts a new epoch if it no longer holds it
        String seenEpoch = synced ? audience.epoch() : null;
        long seenId = synced ? audience.lastId() : 0;
        boolean seenOther = synced && lost;
        calls.load(name, seenEpoch, seenId, seenOther).whenComplete((snapshot, error) -> serial.execute(() -> {
            synced(number, snapshot, error);
            afterTask();
        }));
    }

    private void synced(long number, Snapshot snapshot, Throwable error) {
        syncing = false;
        syncsDone = number;
        if (error != null) {
            syncAgain = false;
            if (!synced) {
                refuseWaiting(); // nobody is in yet: those waiting may try again
            } else {
                waiting.forEach(join -> join.caughtUp |= join.afterSync >= 0); // they get what the copy has
                // a join into a conversation that started over must not see the copy it had: refused, it may retry
                for (Waiting join : List.copyOf(waiting)) {
                    if (join.joining && join.afterLoad > syncsRead) {
                        waiting.remove(join);
                        calls.joinFailed(error);
                        join.member.refuseJoin(name, ErrorCode.UNAVAILABLE, RoomRegistry.UNAVAILABLE);
                    }
                }
                joinReady();
                if (lost) {
                    engine.channels().resubscribeLater(this); // and syncs: nothing is delivered until Redis heard of the loss
                }
            }
            calls.syncFailed(name, error); // a synced room syncs again when Redis is back
            return;
        }
        syncsRead = number;
        applySnapshot(snapshot);
        if (syncAgain) {
            syncAgain = false;
            sync();
        }
        joinReady(); // those that waited for this sync
    }

    /**
     * This server holds another message than Redis at one of the copy's ids: Redis was restored
     * from older data and gave the id again. Nothing more of this epoch is delivered; the next sync
     * tells Redis, which starts the room's next epoch (unless another server did already).
     */
    private void lose(String why) {
        if (!lost) {
            lost = true;
            held.clear();
            calls.forgotten(name, why);
        }
        sync();
    }

    private void applySnapshot(Snapshot snapshot) {
        if (!synced) {
            load(snapshot);
            presenceVersion = snapshot.version();
            synced = true;
            joinReady();
            early.forEach(this::handle);
            early.clear();
            return;
        }
        if (!snapshot.epoch().equals(audience.epoch())) {
            LOG.log(Level.WARNING, "room {0} was lost in Redis (its epoch changed): its members reconnect", Field.room(name));
            lost = false;
            held.clear();
            audience.closeAll(RESTARTED);
            load(snapshot);
            presenceVersion = snapshot.version();
            joinReady(); // joins that waited for the new epoch
            return;
        }
        if (lost) {
            return; // read before Redis heard of the loss: the sync after it starts the next epoch
        }
        int newest = snapshot.ids().indexOf(audience.lastId());
        if (newest >= 0 && differs(audience.lastId(), snapshot.frames().get(newest))) {
            lose("a sync read another message at the newest id this server holds");
            return;
        }
        if (snapshot.lastId() >= audience.lastId()) {
            // as the entries up to the sync's newest id left them, those this copy missed too (a
            // gap Redis no longer holds); the entries after the copy's newest are applied again
            // below, in order, which ends where the sync read. A copy ahead of the sync keeps its own.
            SanctionsHash.load(snapshot.sanctions(), sanctions);
        }
        for (int i = 0; i < snapshot.ids().size(); i++) {
            long id = snapshot.ids().get(i);
            if (id > audience.lastId() && !held.containsKey(id)) {
                held.put(id, live(snapshot.frames().get(i)));
            }
        }
        for (long id : snapshot.forgotten()) {
            if (id > audience.lastId()) {
                held.putIfAbsent(id, FORGOTTEN);
            }
        }
        if (snapshot.version() > presenceVersion) {
            presenceVersion = snapshot.version();
            audience.onlineAre(snapshot.names());
        }
        deliverHeld(snapshot.lastId());
        joinReady(); // joins that waited for a load after their conversation started over
    }

    /**
     * The copy is what the sync read, the room's mutes and bans with it. A replay from before an
     * entry Redis dropped to make room (the oldest entry other than a message, in a reaction
     * storm) is not whole, as in every copy that dropped it ({@code History}).
     */
    private void load(Snapshot snapshot) {
        SanctionsHash.load(snapshot.sanctions(), sanctions); // before anyone joins the copy
        audience.load(snapshot.epoch(), snapshot.lastId(), snapshot.ids(), snapshot.frames(), snapshot.names());
        audience.lost(snapshot.goneUpTo());
    }

    /** A message of the room's channel ({@link ChannelMessage}), in the order Redis published them. */
    private void handle(String text) {
        ChannelMessage message = ChannelMessage.parse(text);
        if (message instanceof ChannelMessage.Chat chat) {
            if (!chat.epoch().equals(audience.epoch())) {
                sync(); // Redis started the room over: the sync finds the new epoch
                return;
            }
            if (lost) {
                return; // the sync on its way starts the next epoch, with this message in it
            }
            long id = chat.id();
            long last = audience.lastId();
            if (id == last + 1 && held.isEmpty()) {
                audience.deliver(id, Frame.of(chat.frame()));
            } else if (id > last) {
                held.put(id, Frame.of(chat.frame()));
                sync(); // a gap: this server missed something, Redis has it
            } else if (differs(id, Frame.of(chat.frame()))) {
                lose("another message came with an id this server holds"); // not a duplicate: an id given twice
            }
        } else if (message instanceof ChannelMessage.Epoch epoch) {
            if (!epoch.epoch().equals(audience.epoch())) {
                sync(); // a server found that Redis lost the room: the sync finds its new epoch
            }
        } else if (message instanceof ChannelMessage.Typing typing) {
            audience.relayTyping(typing.user());
        } else if (message instanceof ChannelMessage.Presence presence) {
            if (presence.version() <= presenceVersion) {
                return; // the sync already had it
            }
            presenceVersion = presence.version();
            audience.online(presence.came(), presence.left());
        } else {
            LOG.log(Level.WARNING, "room {0}: ignoring a channel message of an unknown kind", Field.room(name));
        }
    }

    /**
     * Delivers, in order, what came ahead of a gap and what a sync read. A gap at or below
     * {@code readUpTo} (the newest id that sync saw) is gone from Redis too, and is passed over; a
     * gap above it was published after that read, and the next sync fills it.
     */
    private void deliverHeld(long readUpTo) {
        long skipped = 0; // the newest id passed over as forgotten
        while (!held.isEmpty()) {
            long next = held.firstKey();
            long last = Math.max(audience.lastId(), skipped);
            if (next <= last) {
                held.pollFirstEntry();
                continue;
            }
            if (next > last + 1) {
                if (next - 1 > readUpTo) {
                    sync(); // some of the gap was published after that read
                    return;
                }
                calls.lost(name, next - 1 - last);
                audience.lost(next - 1); // a client that saw less than this was not given everything
                audience.removeBanned(); // a ban among the lost entries holds for those here too (the sync loaded it)
            }
            Frame frame = held.pollFirstEntry().getValue();
            if (frame == FORGOTTEN) {
                skipped = next;
            } else {
                audience.deliver(next, frame);
            }
        }
    }

    /**
     * A frame a sync read, as it is delivered live: a chat message as it was sent with its text
     * now (the entries that changed it follow it in the log, and change it again on the way), and
     * a deleted one {@link #FORGOTTEN} (never sent live to a connection of version 1 or 2; its
     * deletion, which follows, is about a message this copy never held). Any other entry as it is.
     */
    private static Frame live(Frame frame) {
        if (!FrameEncoder.isChat(frame.json())) {
            return frame;
        }
        ChatMessage now = (ChatMessage) FrameEncoder.logFrame(frame.json());
        ChatMessage sent = RoomLog.plain(now);
        return sent == null ? FORGOTTEN : sent.equals(now) ? frame : Frame.of(FrameEncoder.toJson(sent));
    }

    /**
     * Whether the copy holds another entry than {@code frame} at {@code id} (false when it holds
     * none). A chat message is the same one if what cannot change is (id, name, time, room, and
     * its text while neither side has it edited or deleted): an edit legitimately makes it differ.
     */
    private boolean differs(long id, Frame frame) {
        Frame mine = audience.held(id);
        if (mine == null || mine.json().equals(frame.json())) {
            return false;
        }
        if (!FrameEncoder.isChat(mine.json()) || !FrameEncoder.isChat(frame.json())) {
            return true; // entries other than chat never change
        }
        ChatMessage a = (ChatMessage) FrameEncoder.logFrame(mine.json());
        ChatMessage b = (ChatMessage) FrameEncoder.logFrame(frame.json());
        boolean unchanged = a.edited() == null && b.edited() == null && !a.wasDeleted() && !b.wasDeleted();
        return a.id() != b.id() || !a.user().equals(b.user()) || !a.dateTime().equals(b.dateTime())
                || !Objects.equals(a.room(), b.room()) || (unchanged && !a.msg().equals(b.msg()));
    }

    /** At the end of every task: sends what the audience said of presence, retires the room once empty. */
    private void afterTask() {
        if (!presenceChanges.isEmpty()) {
            engine.presence().tell(name, List.copyOf(presenceChanges));
            presenceChanges.clear();
        }
        if (waiting.isEmpty() && !syncing && engine.retireIfIdle(this, audience)) {
            held.clear();
        }
    }

    private boolean naming(Member member) {
        for (Waiting w : waiting) {
            if (w.member == member && !w.joining) {
                return true;
            }
        }
        return false;
    }

    /** The member's latest join or naming still on its way, or null. */
    private Waiting waitingOf(Member member) {
        for (int i = waiting.size() - 1; i >= 0; i--) {
            if (waiting.get(i).member == member) {
                return waiting.get(i);
            }
        }
        return null;
    }
}

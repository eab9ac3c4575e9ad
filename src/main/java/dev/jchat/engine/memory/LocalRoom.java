package dev.jchat.engine.memory;

import dev.jchat.message.ChatMessage;
import dev.jchat.message.ErrorCode;
import dev.jchat.message.FrameEncoder;
import dev.jchat.message.Notice;
import dev.jchat.message.RoomList;
import dev.jchat.room.Audience;
import dev.jchat.room.Direct;
import dev.jchat.connection.Frame;
import dev.jchat.connection.Member;
import dev.jchat.room.Names;
import dev.jchat.room.Peers;
import dev.jchat.room.Positions;
import dev.jchat.room.Room;
import dev.jchat.room.RoomLog;
import dev.jchat.room.Sanctions;
import java.time.Instant;
import dev.jchat.message.LogEntry;
import dev.jchat.room.Sends;
import jakarta.websocket.CloseReason;

/**
 * A room in this JVM's memory: its {@link Audience} is all of it. The room numbers its messages
 * itself and hands each to the audience as the Redis engine hands over what Redis numbered.
 * Thread-safe: its lock orders the numbering, and a direct conversation's start over with it.
 */
final class LocalRoom implements Room {

    /** A direct conversation started over for a new claim of one of its names: its members reconnect. */
    static final CloseReason RESTARTED = new CloseReason(CloseReason.CloseCodes.SERVICE_RESTART, "room restarted");

    private final LocalRooms registry;
    private final String name;
    private final Audience audience;
    /** A direct conversation's two claims ({@link Direct.Admission#owners}), once someone joined; guarded by this. */
    private String owners;

    LocalRoom(LocalRooms registry, String name, String epoch, int historySize, int replay) {
        this.registry = registry;
        this.name = name;
        this.audience = Audience.alone(this, epoch, historySize, registry.historyBudget(), replay, registry.timer(),
                registry.sanctions(name));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Peers peers() {
        return registry.hub().peers();
    }

    /**
     * @param owners for a direct conversation with held names, the claims the joiner sees it
     *               between; when they are not those it was made between (a name's hold ran out
     *               and someone else claimed it), it starts over first: the new claimant never
     *               reads what was written to the old one
     */
    Audience.Joined join(Member member, Long since, String clientEpoch, String owners) {
        if (owners != null) {
            // Under this lock, so that no join sees the record before the old messages are gone.
            // (Closing only hands the close to the closer's threads: nothing waits on the container.)
            synchronized (this) {
                if (this.owners != null && !this.owners.equals(owners)) {
                    audience.startOver(Audience.newEpoch(), RESTARTED);
                }
                this.owners = owners;
            }
        }
        Audience.Joined joined = audience.join(member, since, clientEpoch);
        if (joined == Audience.Joined.IN && audience.lastId() > 0) {
            registry.busy(this);
        }
        return joined;
    }

    @Override
    public void name(Member member, String user) {
        if (registry.names().held(user).toCompletableFuture().join()) {
            member.refuse(ErrorCode.NAME_TAKEN, Names.TAKEN);
            return;
        }
        audience.name(member, user);
        if (audience.contains(member)) {
            registry.hub().named(member);
        }
    }

    @Override
    public void publish(Member from, String text) {
        if (!audience.contains(from) || from.name() == null) {
            return; // it left (the server gave up on it) while its message was on the way, or it has no name
        }
        post(new ChatMessage(0, from.name(), Audience.now(), text, name));
    }

    /**
     * Numbers, stores and broadcasts a chat message of this room: a member's, or one the HTTP API
     * posted ({@link LocalRooms#post}). Answers its id.
     */
    long post(ChatMessage message) {
        long id;
        Sends sends;
        // Numbered and queued under one lock, so that the ids reach the members in the order given
        // (the audience drops an id below one it has); the sends start once it is released.
        synchronized (this) {
            id = audience.lastId() + 1;
            ChatMessage numbered = message.withId(id);
            sends = audience.queue(id, Frame.of(FrameEncoder.toJson(numbered)), null);
            registry.appended(name, numbered); // under the lock: a room's events in id order
        }
        sends.start();
        registry.hub().metrics().published();
        if (Direct.is(name)) {
            registry.hub().notice(Direct.other(name, message.user()), name,
                    Frame.of(FrameEncoder.toJson(new Notice(name, message.user(), id, message.msg()))));
        }
        if (audience.isEmpty()) {
            registry.idle(this); // posted with nobody here (through the API): it may be forgotten as any empty room
        }
        return id;
    }

    /** Whether the registry forgot it (it was empty, and its place was needed). */
    boolean retired() {
        return audience.retired();
    }

    /** The room's epoch: what its ids belong to. */
    String epoch() {
        return audience.epoch();
    }

    /** A page of the log as a version-3 connection is answered it. */
    Audience.Page page(Long before, int limit) {
        return audience.page(true, before, limit);
    }

    /** The names online here, sorted. */
    java.util.List<String> online() {
        return audience.online();
    }

    @Override
    public void amend(Member from, RoomLog.Amend amend) {
        if (!audience.contains(from) || from.name() == null) {
            return;
        }
        RoomLog.Decision decision = amend(amend, from.name(), from.moderator());
        if (decision.refusal() != null) {
            from.sendError(decision.refusal(), decision.why(), name);
        }
    }

    /**
     * Decides an amendment by {@code by} and appends its entry: a member's, or the HTTP API's
     * ({@link LocalRooms#delete}). Answers the decision, its entry with the id it was given.
     */
    RoomLog.Decision amend(RoomLog.Amend amend, String by, boolean moderator) {
        RoomLog.Decision decision;
        Sends sends = null;
        synchronized (this) { // decided on the message as it is now, and numbered, under the lock that numbers
            decision = RoomLog.decide(audience.message(amend.target()), amend, by, moderator, name, Audience.now());
            if (decision.entry() != null) {
                long id = audience.lastId() + 1;
                LogEntry entry = decision.entry().withId(id);
                sends = audience.queue(id, Frame.of(FrameEncoder.toJson(entry)), entry);
                registry.appended(name, entry);
                decision = new RoomLog.Decision(entry, null, null);
            }
        }
        if (sends != null) {
            sends.start();
            registry.hub().metrics().published();
        }
        return decision;
    }

    @Override
    public void moderate(Member by, String action, String user, Instant until, String reason) {
        moderate(by.name(), action, user, until, reason);
    }

    /** Appends a moderator's action: a member's, or the HTTP API's ({@link LocalRooms#moderate}). Answers its id. */
    long moderate(String by, String action, String user, Instant until, String reason) {
        Sends sends;
        long id;
        synchronized (this) {
            id = audience.lastId() + 1;
            LogEntry entry = new LogEntry.Moderation(name, id, action, user, by, until, reason, Audience.now());
            sends = audience.queue(id, Frame.of(FrameEncoder.toJson(entry)), entry);
            registry.appended(name, entry);
        }
        sends.start();
        if (audience.isEmpty()) {
            registry.idle(this); // moderated with nobody here (through the API): it may be forgotten as any empty room
        }
        return id;
    }

    @Override
    public Sanctions.Sanction muted(String user) {
        return audience.muted(user);
    }

    @Override
    public void leave(Member member, Frame farewell) {
        audience.leave(member, farewell);
        if (!audience.isEmpty()) {
            return;
        }
        if (audience.lastId() == 0) {
            retireIfUnused(); // nothing worth keeping: made-up room names cost nothing once empty
        } else {
            registry.idle(this);
        }
    }

    @Override
    public void typing(Member from) {
        if (audience.mayType(from, System.nanoTime())) {
            audience.relayTyping(from.name());
        }
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
        audience.history(to, before, limit);
    }

    /** The room's line in the directory. */
    RoomList.Entry entry() {
        return new RoomList.Entry(name, audience.onlineCount(), audience.lastId());
    }

    /** A room without members or messages goes at once, as when its last member leaves. */
    void retireIfUnused() {
        if (audience.lastId() == 0 && audience.retireIfEmpty()) {
            registry.retire(this);
        }
    }

    /** Retires the room if nobody is in it, so that its registry can forget it; false if someone is. */
    boolean retireIfEmpty() {
        return audience.retireIfEmpty();
    }
}

package dev.jchat.connection;

import dev.jchat.message.ErrorCode;
import dev.jchat.message.ErrorFrame;
import dev.jchat.message.FrameEncoder;
import dev.jchat.message.Welcome;
import dev.jchat.metrics.ChatMetrics;
import dev.jchat.room.Names;
import dev.jchat.room.Room;
import dev.jchat.security.RefusedException;
import dev.jchat.security.RoomGrant;
import jakarta.websocket.CloseReason;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One connection as the rooms see it: its name, once it has one, its outbox, and the rooms it is
 * in (one, or with protocol version 3 up to {@code CHAT_MAX_ROOMS_PER_CONNECTION}). Thread-safe:
 * the name is written once, by the connection's own message thread; entering a room and closing
 * race safely, so a connection closed while it was joining is never left in a room.
 */
public final class Member {

    private final String id;
    private final Outbox outbox;
    private final boolean admitted;
    private final ChatMetrics metrics;
    private final Subscriptions rooms = new Subscriptions(); // guarded by itself: the rooms it is in or joining
    private boolean gone;                 // guarded by rooms: closed, it enters no room any more
    private volatile String firstRoom;    // the room of its query, that frames without a room act on; null: none
    private volatile boolean firstIn;     // its query's room is settled (welcomed, left or refused): a refusal of it no longer closes the connection
    private volatile boolean v3;          // it asked for protocol version 3
    private volatile boolean moderator;   // decided as it opens (ChatEndpoint)
    private volatile RoomGrant grant;     // the only rooms its token opens, or null: any (set as it opens)
    private volatile String name;
    private static final AtomicReferenceFieldUpdater<Member, Hold> HOLD =
            AtomicReferenceFieldUpdater.newUpdater(Member.class, Hold.class, "hold");
    private volatile Hold hold = Hold.NONE; // what its name is to it; compared and set through HOLD
    private volatile String presentedKey; // the key the connection presented for its name, or null
    private volatile String key;          // the name's key once claimed or proved, for the welcome
    private volatile ScheduledFuture<?> timer;
    private volatile long lastReceived = System.nanoTime();
    private final LongSupplier lastRead;  // the connection's last read, pings included, where the container tells
    private volatile boolean welcomed;    // its first welcome is queued: nothing from outside a room may go before it

    /**
     * What the connection's name is to it, from its handshake to its close. A name that came by a
     * first message (or none) holds nothing: {@code NONE} throughout.
     */
    enum Hold {
        /** No name of its own: none yet, or one taken by its first message. */
        NONE,
        /** Its name came in the query, without a token: to be claimed, or proved with the key presented. */
        TO_CLAIM,
        /** It claimed a name nobody held, with a new key that only its welcome will tell. */
        CLAIMED,
        /** It proved the name with its key (or claimed it again with that key). */
        PROVEN,
        /** The name is a token's subject: its own, with no key and no hold. */
        TOKEN,
        /** Closed: the hold it had was let go (released, or unclaimed). */
        LET_GO;

        /** Whether the name is its own: what a direct conversation and a notice demand. */
        boolean own() {
            return this == CLAIMED || this == PROVEN || this == TOKEN;
        }

        /** Whether the name's hold goes through the engine's names. */
        boolean held() {
            return this == CLAIMED || this == PROVEN;
        }
    }

    /** A member whose outbox {@code outboxFor} makes, given the member itself. */
    public Member(String id, boolean admitted, ChatMetrics metrics, LongSupplier lastRead,
                  Function<Member, Outbox> outboxFor) {
        this.id = id;
        this.admitted = admitted;
        this.metrics = metrics;
        this.lastRead = lastRead;
        this.outbox = outboxFor.apply(this);
        outbox.holdUntilJoin(); // nothing goes before its welcome but a refusal
    }

    /** False when the server was full as this connection opened: it is only told so, then closed. */
    public boolean admitted() {
        return admitted;
    }

    /** The session id, for logs. */
    public String id() {
        return id;
    }

    /** The connection's display name, or null until its first message names it. */
    public String name() {
        return name;
    }

    /** Names a connection once; a second call is a bug. */
    public void name(String value) {
        if (name != null) {
            throw new IllegalStateException("member " + id + " is named already");
        }
        name = value;
    }

    /**
     * The name came in the query, without token auth: the engine claims it for this connection,
     * or checks {@code presentedKey} (null when none came) against its holder's, before the join.
     */
    public void claims(String presentedKey) {
        this.presentedKey = presentedKey;
        hold = Hold.TO_CLAIM;
    }

    /** Whether the name must be claimed or proved before the member enters a room. */
    public boolean claiming() {
        return hold == Hold.TO_CLAIM;
    }

    /** The name is this connection's: with its key (to give back in the welcome), or null for a token's subject. */
    public void proven(String value) {
        key = value;
        hold = value == null ? Hold.TOKEN : Hold.PROVEN;
    }

    /** The name was nobody's: this connection claimed it with a new key, which only its welcome will tell. */
    public void claimedAnew(String value) {
        key = value;
        hold = Hold.CLAIMED;
    }

    /** Whether this connection claimed its name with a new key (see {@link #claimedAnew}). */
    public boolean claimedNew() {
        return hold == Hold.CLAIMED;
    }

    /** Whether the name is claimed, proved or a token's: what a direct conversation demands. */
    public boolean proven() {
        return hold.own();
    }

    /** The name's key for the welcome, or null. */
    public String key() {
        return key;
    }

    public Outbox outbox() {
        return outbox;
    }

    /** A frame came from the peer, at {@code now} ({@link System#nanoTime()}). */
    public void received(long now) {
        lastReceived = now;
    }

    /**
     * When anything last came from the peer, as {@link System#nanoTime()}: a frame the chat saw,
     * or any read the container tells of (WebSocket pings included); its open if nothing came yet.
     * Frames sent to it do not count: a connection that only receives is idle.
     */
    public long lastHeard() {
        long read = lastRead.getAsLong();
        return read != Long.MIN_VALUE && read - lastReceived > 0 ? read : lastReceived;
    }

    /** Queues a frame for this connection alone. */
    public void send(String json) {
        outbox.send(Frame.of(json));
    }

    /** Queues an error frame for this connection alone: its frame was refused, it stays open. */
    public void sendError(ErrorCode code, String message) {
        outbox.send(error(code, message, null));
    }

    /** As above, for a frame about {@code room} (version 3). */
    public void sendError(ErrorCode code, String message, String room) {
        outbox.send(error(code, message, room));
    }

    /** As above, with when it ends ({@code muted}, {@code banned}) and why, for a moderator's decision. */
    public void sendError(ErrorCode code, String message, String room, Instant until, String reason) {
        outbox.send(error(code, message, room, until, reason));
    }

    /**
     * One error frame, then the close (1008 or 1013, with the code as its reason), and nothing of
     * the room in between: a refusal the connection cannot retry its way past. Before the welcome
     * it goes alone: what was held for after the welcome is dropped.
     */
    public void refuse(ErrorCode code, String message) {
        outbox.refuse(error(code, message, null), code.closeReason());
    }

    /** An error frame for this connection, counted as a refusal. */
    private Frame error(ErrorCode code, String message, String room) {
        return error(code, message, room, null, null);
    }

    private Frame error(ErrorCode code, String message, String room, Instant until, String reason) {
        metrics.refused(code);
        // An older client's errors stay as they were: only version 3 says which room one concerns.
        return Frame.of(FrameEncoder.toJson(new ErrorFrame(code.wire(), message, v3 ? room : null, until, reason)));
    }

    /** Sends what is queued, then closes. */
    public void close(CloseReason reason) {
        outbox.closeAfterSending(reason);
    }

    /** True once a close is decided or done: the connection's frames are to be ignored. */
    public boolean closing() {
        return outbox.closing();
    }

    /**
     * Keeps a timer of this connection's (its token's expiry), to stop it when the connection goes;
     * one that replaces another (a refreshed token's) stops the old one.
     */
    public void timer(ScheduledFuture<?> future) {
        ScheduledFuture<?> old = timer;
        timer = future;
        if (old != null) {
            old.cancel(false);
        }
        if (isGone()) {
            cancelTimers();
        }
    }

    public void cancelTimers() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }

    /** Marks the connection as a moderator's: decided once, as it opens, by the endpoint. */
    public void moderator(boolean value) {
        this.moderator = value;
    }

    /** Whether the connection is a moderator's (PROTOCOL.md, "Moderation"). */
    public boolean moderator() {
        return moderator;
    }

    /** Limits the rooms it may enter to those of its token's rooms claim (set as it opens, before any room). */
    public void grant(RoomGrant value) {
        grant = value;
    }

    /** The rooms its token opens, or null: any. */
    public RoomGrant grant() {
        return grant;
    }

    /** It asked for protocol version 3: many rooms, and {@code room} on the frames about one. */
    public void v3(boolean value) {
        v3 = value;
    }

    public boolean v3() {
        return v3;
    }

    /** The room of its query, or null when it opened in none (version 3). */
    public void firstRoom(String room) {
        firstRoom = room;
    }

    public String firstRoom() {
        return firstRoom;
    }

    /**
     * Reserves {@code room} for a join about to be made: false when it is reserved or in it
     * already, or the connection closed. The join's outcome is {@link #joined}, or a refusal
     * ({@link #refuseJoin}).
     */
    public boolean reserve(String room, String askedAs) {
        synchronized (rooms) {
            if (gone || rooms.contains(room)) {
                return false;
            }
            rooms.reserve(room, askedAs);
            return true;
        }
    }

    /** The registry's join call returned {@code room}: the member is in it, or still joining it. */
    public void joined(Room room) {
        synchronized (rooms) {
            rooms.joined(room.name(), room);
        }
    }

    /** Drops a reservation or a room it is in; returns the room, or null (not in it, or still in the join call). */
    public Room forget(String room) {
        if (room.equals(firstRoom)) {
            firstIn = true; // left, or refused: a later join of it is a subscribe like any other
        }
        synchronized (rooms) {
            return rooms.remove(room);
        }
    }

    /** The room of that name it is in or joining, or null. */
    public Room room(String room) {
        synchronized (rooms) {
            return rooms.get(room);
        }
    }

    /** Whether it is in, or joining, the room of that name. */
    public boolean subscribed(String room) {
        synchronized (rooms) {
            return rooms.contains(room);
        }
    }

    /** How many rooms it is in or joining. */
    public int roomCount() {
        synchronized (rooms) {
            return rooms.size();
        }
    }

    /**
     * A join was refused. The join of its query's room, before any welcome, refuses the connection
     * (an error, then the close); any other join (version 3's {@code subscribe}) is only told,
     * with {@code room}, and the connection stays open in its other rooms.
     */
    public void refuseJoin(String room, ErrorCode code, String message) {
        refuseJoin(room, code, message, null, null);
    }

    /** As above, with when the refusal ends and why ({@code banned}). */
    public void refuseJoin(String room, ErrorCode code, String message, Instant until, String reason) {
        if (!firstIn && room.equals(firstRoom)) {
            outbox.refuse(error(code, message, room, until, reason), code.closeReason());
            return;
        }
        String as;
        synchronized (rooms) {
            as = rooms.asked(room);
        }
        forget(room);
        outbox.send(error(code, message, as, until, reason));
    }

    /**
     * A moderator removed the name from {@code room} ({@code banned} or {@code kicked}): a
     * version-3 connection leaves the room, told why after the room's last frame to it; an older
     * one, in that room alone, is told and closed with 1008.
     */
    public void removedFrom(Room room, ErrorCode code, String message, Instant until, String reason) {
        if (!v3) {
            outbox.refuse(error(code, message, null, until, reason), code.closeReason());
            return;
        }
        forget(room.name()); // null while its join call is still on its way: it leaves all the same
        room.leave(this, error(code, message, room.name(), until, reason));
    }

    /**
     * Claims or proves the name, when it came in the query without a token, before the connection
     * enters any room: completes with null when the name is settled (or needs nothing), or with
     * the refusal ({@code name-taken}), or exceptionally when the engine did not answer. A claim
     * that comes back after the connection closed is let go at once.
     */
    public CompletionStage<RefusedException> settleName(Names names) {
        if (!claiming()) {
            return CompletableFuture.completedFuture(null);
        }
        return names.claim(name, presentedKey).thenApply(claim -> {
            switch (claim.outcome()) {
                case TAKEN -> {
                    return new RefusedException(ErrorCode.NAME_TAKEN, Names.TAKEN);
                }
                case CLAIMED -> claimedAnew(claim.key());
                case PROVEN -> proven(claim.key());
            }
            if (isGone()) {
                letGoOfName(names); // closed while its claim was on its way: nobody will use it
            }
            return null;
        });
    }

    /**
     * Records that the member is in {@code room}; a room calls it under its lock before adding the
     * member. False when the connection closed, or left the room, while it was joining: the room
     * must not add it.
     */
    public boolean enter(Room room) {
        synchronized (rooms) {
            if (gone || !rooms.contains(room.name())) {
                return false;
            }
            // Recorded here, not only when the registry's join call returns: a close between the two
            // must find the room to leave, or the member would stay in its audience for good.
            rooms.joined(room.name(), room);
            return true;
        }
    }

    /** Its welcome to {@code room} is queued; the room calls it under its lock, right after queueing it. */
    public void welcomed(Room room) {
        if (room.name().equals(firstRoom)) {
            firstIn = true;
        }
        welcomed = true;
    }

    /** A version-3 connection opened in no room: its welcome, with its name and key alone. */
    public void welcomeAlone() {
        boolean kick = outbox.enqueueJoin(Frame.of(FrameEncoder.toJson(Welcome.alone(name, key, moderator ? Boolean.TRUE : null))), List.of());
        welcomed = true;
        if (kick) {
            outbox.drain();
        }
    }

    /** Whether its first welcome is queued: frames from outside its rooms may go to it. */
    public boolean isWelcomed() {
        return welcomed;
    }

    /** Whether it is welcomed, has a name, and is in a room or joining one. */
    public boolean inRoom() {
        return welcomed && name != null && roomCount() > 0;
    }

    /** Whether it is closed: it enters no room any more. */
    public boolean isGone() {
        synchronized (rooms) {
            return gone;
        }
    }

    /** Marks the member gone, once; returns the rooms it was in or joining (none when gone already). */
    public List<Room> leaveForGood() {
        synchronized (rooms) {
            if (gone) {
                return List.of();
            }
            gone = true;
            return rooms.clear();
        }
    }

    /**
     * Lets go of its name's hold, once, when the connection is gone: a key only this connection
     * was told, never in a welcome, claims nothing (the name is free again at once); otherwise
     * the hold runs from here. Nothing happens for a name it does not hold (yet).
     */
    public void letGoOfName(Names names) {
        Hold was = hold;
        if (!was.held() || !HOLD.compareAndSet(this, was, Hold.LET_GO)) {
            return; // nothing held, or let go already
        }
        if (was == Hold.CLAIMED && !welcomed) {
            names.unclaim(name, key);
        } else {
            names.released(name);
        }
    }

    @Override
    public String toString() {
        return "Member[" + id + "]";
    }
}

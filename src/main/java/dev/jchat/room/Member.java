package dev.jchat.room;

import dev.jchat.message.ErrorCode;
import dev.jchat.message.ErrorFrame;
import dev.jchat.message.FrameEncoder;
import dev.jchat.metrics.ChatMetrics;
import jakarta.websocket.CloseReason;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One connection as the rooms see it: its name, once it has one, its outbox, and the room it is
 * in. Thread-safe: the name is written once, by the connection's own message thread; entering a
 * room and closing race safely, so a connection closed while it was joining is never left in the
 * room.
 */
public final class Member {

    private static final Object GONE = new Object();

    private final String id;
    private final Outbox outbox;
    private final boolean admitted;
    private final ChatMetrics metrics;
    private final AtomicReference<Object> place = new AtomicReference<>(); // null, then its Room, then GONE
    private volatile String name;
    private volatile String presentedKey; // the key the connection presented for its name, or null
    private volatile boolean claims;      // its name came in the query, without a token: it must claim or prove it
    private volatile String key;          // the name's key once claimed or proved, for the welcome
    private volatile boolean proven;      // the name is its own: claimed, proved by key, or a token's subject
    private volatile boolean claimedAnew; // it claimed a name nobody held, with a new key
    private volatile ScheduledFuture<?> timer;
    private volatile long lastReceived = System.nanoTime();
    private final LongSupplier lastRead;  // the connection's last read, pings included, where the container tells
    private volatile boolean welcomed;    // its welcome is queued: nothing may go before it

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
        this.claims = true;
        this.presentedKey = presentedKey;
    }

    /** Whether the name must be claimed or proved as the member joins. */
    public boolean claiming() {
        return claims && !proven;
    }

    public String presentedKey() {
        return presentedKey;
    }

    /** The name is this connection's: with its key (to give back in the welcome), or null for a token's subject. */
    public void proven(String value) {
        key = value;
        proven = true;
    }

    /** The name was nobody's: this connection claimed it with a new key, which only its welcome will tell. */
    public void claimedAnew(String value) {
        claimedAnew = true;
        proven(value);
    }

    /** Whether this connection claimed its name with a new key (see {@link #claimedAnew}). */
    public boolean claimedNew() {
        return claimedAnew;
    }

    /** Whether the name is claimed, proved or a token's: what a direct conversation demands. */
    public boolean proven() {
        return proven;
    }

    /** Whether the name's hold goes through the engine's names: it claimed or proved it with a key. */
    public boolean holdsName() {
        return proven && key != null;
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
    long lastHeard() {
        long read = lastRead.getAsLong();
        return read != Long.MIN_VALUE && read - lastReceived > 0 ? read : lastReceived;
    }

    /** Queues a frame for this connection alone. */
    public void send(String json) {
        outbox.send(Frame.of(json));
    }

    /** Queues an error frame for this connection alone: its frame was refused, it stays open. */
    public void sendError(ErrorCode code, String message) {
        outbox.send(error(code, message));
    }

    /**
     * One error frame, then the close (1008 or 1013, with the code as its reason), and nothing of
     * the room in between: a refusal the connection cannot retry its way past. Before the welcome
     * it goes alone: what was held for after the welcome is dropped.
     */
    public void refuse(ErrorCode code, String message) {
        outbox.refuse(error(code, message), code.closeReason());
    }

    /** An error frame for this connection, counted as a refusal. */
    private Frame error(ErrorCode code, String message) {
        metrics.refused(code);
        return Frame.of(FrameEncoder.toJson(ErrorFrame.of(code, message)));
    }

    /** Sends what is queued, then closes. */
    public void close(CloseReason reason) {
        outbox.closeAfterSending(reason);
    }

    /** True once a close is decided or done: the connection's frames are to be ignored. */
    public boolean closing() {
        return outbox.closing();
    }

    /** Keeps a timer of this connection's (its token's expiry), to stop it when the connection goes. */
    public void timer(ScheduledFuture<?> future) {
        timer = future;
        if (place.get() == GONE) {
            cancelTimers();
        }
    }

    void cancelTimers() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }

    /**
     * Records that the member is in {@code room}; a room calls it under its lock before adding the
     * member. False when the connection closed already: the room must not add it.
     */
    boolean enter(Room room) {
        return place.compareAndSet(null, room);
    }

    /** Its welcome is queued; a room calls it under its lock, right after queueing it. */
    void welcomed() {
        welcomed = true;
    }

    /**
     * The name of the room it is in, or null, also while it is joining: until its welcome is
     * queued, nothing from outside the room may be sent to it.
     */
    String roomName() {
        return welcomed && place.get() instanceof Room room ? room.name() : null;
    }

    /** Whether it is in a room now, welcomed, and has a name there. */
    boolean inRoom() {
        return roomName() != null && name != null;
    }

    /** Marks the member gone, once; returns the room it was in, or null (not yet in one, or gone already). */
    Room leaveForGood() {
        Object was = place.getAndSet(GONE);
        return was instanceof Room room ? room : null;
    }

    @Override
    public String toString() {
        return "Member[" + id + "]";
    }
}

package dev.jchat.room;

import jakarta.websocket.CloseReason;

/**
 * One connection as the rooms see it: its name, once it has one, and its outbox.
 * Thread-safe: the name is written once, by the connection's own message thread.
 */
public final class Member {

    private final String id;
    private final Outbox outbox;
    private final boolean admitted;
    private volatile String name;

    public Member(String id, Outbox outbox, boolean admitted) {
        this.id = id;
        this.outbox = outbox;
        this.admitted = admitted;
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

    public Outbox outbox() {
        return outbox;
    }

    /** Queues a frame for this connection alone. */
    public void send(String json) {
        outbox.send(json);
    }

    /** Sends what is queued, then closes. */
    public void close(CloseReason reason) {
        outbox.closeAfterSending(reason);
    }

    @Override
    public String toString() {
        return "Member[" + id + "]";
    }
}

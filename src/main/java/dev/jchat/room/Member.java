package dev.jchat.room;

import jakarta.websocket.CloseReason;

/**
 * One connection as the rooms see it: its name, once it has one, and its outbox.
 * Thread-safe: the name is written once, by the connection's own message thread.
 */
public final class Member {

    private final String id;
    private final Outbox outbox;
    private volatile String name;

    public Member(String id, Outbox outbox, String name) {
        this.id = id;
        this.outbox = outbox;
        this.name = name;
    }

    /** The session id, for logs. */
    public String id() {
        return id;
    }

    /** The connection's display name, or null until its first message names it. */
    public String name() {
        return name;
    }

    void name(String value) {
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

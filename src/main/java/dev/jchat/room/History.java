package dev.jchat.room;

import dev.jchat.connection.Frame;
import dev.jchat.message.ChatMessage;
import dev.jchat.message.FrameEncoder;
import dev.jchat.message.LogEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The newest part of one room's log, already encoded, oldest first, charged to the server's
 * {@link HistoryBudget}: its last {@code capacity} chat messages, each as it is now (edited,
 * deleted, with its reactions), and the entries about them (edits, deletions, reactions,
 * moderation), at most {@link #ENTRIES_PER_MESSAGE} times {@code capacity} of those (past it the
 * oldest of those goes, not a message). Not
 * thread-safe: its room guards it with {@link #lock}, which the budget takes too when it trims
 * this history from another room's thread.
 *
 * <p>Whether a resuming client missed nothing is decided on what is held, not on id arithmetic:
 * ids may skip (an entry this server never gets, or one an older client does not see), so the
 * history keeps {@link #heldAfter}, the lowest {@code since} after which it holds every entry
 * there is. A gap the engine could not fill ({@link #lost}) or the eviction of the oldest entry
 * moves it up.
 */
final class History {

    /** Entries other than chat messages held, per chat message of capacity: a reaction storm cannot grow a room without bound. */
    static final int ENTRIES_PER_MESSAGE = RoomLog.ENTRIES_PER_MESSAGE;

    /**
     * One entry of the log as held: its id and its frame for version-3 connections, and for
     * older ones the frame they see ({@code plain}: the same frame until a chat message changes;
     * null for a deleted message and for every other kind of entry). A chat message's state is
     * read back from its frame the first time something changes it.
     */
    static final class Entry {
        final long id;
        final boolean chat;
        Frame frame;
        Frame plain;
        private ChatMessage state;

        Entry(long id, boolean chat, Frame frame, Frame plain) {
            this.id = id;
            this.chat = chat;
            this.frame = frame;
            this.plain = plain;
        }

        long id() {
            return id;
        }

        /** The frame a connection of this version sees, or null when it sees none. */
        Frame frameFor(boolean v3) {
            return v3 ? frame : plain;
        }

        /** A chat message as it is now. */
        ChatMessage message() {
            if (state == null) {
                state = (ChatMessage) FrameEncoder.logFrame(frame.json());
            }
            return state;
        }

        long cost() {
            return HistoryBudget.cost(frame) + (plain != null && plain != frame ? HistoryBudget.cost(plain) : 0);
        }
    }

    private final int capacity;
    private final ArrayDeque<Entry> entries;
    private final HistoryBudget budget;
    final Object lock;
    private int chats;               // chat messages among the entries
    private long heldAfter;          // every entry with a greater id is held (or not yet sent)
    private long charged;            // bytes this history holds in the budget
    volatile long lastActive;        // System.nanoTime() of its newest entry: the budget trims the stalest first
    private boolean released;        // the room was forgotten: it holds nothing more

    /** A history of its own, with no budget beyond its capacity: for tests, and a page of a log read whole ({@link Audience#page(String, long, List, List, int, Long, int)}). */
    History(int capacity) {
        this(capacity, new HistoryBudget(Long.MAX_VALUE), null);
    }

    /**
     * @param lock what guards this history (its room's lock); null: the history itself
     */
    History(int capacity, HistoryBudget budget, Object lock) {
        this.capacity = capacity;
        this.entries = new ArrayDeque<>(); // grows with use: most rooms hold a few messages, not capacity
        this.budget = budget;
        this.lock = lock == null ? this : lock;
        this.lastActive = System.nanoTime();
        budget.register(this);
    }

    /** Appends an encoded entry of the log, read from its frame when it is not a chat message: {@link #add(long, Frame, LogEntry)}. */
    void add(long id, Frame frame) {
        add(id, frame, null);
    }

    /**
     * Appends an entry of the log, encoded: a chat message, or an entry about one, which changes
     * that message if it is held. It follows the previous one with nothing missed between them
     * (its id may skip); ids must increase. Drops the oldest past capacity. The caller calls
     * {@link HistoryBudget#enforce()} once it has released the room's lock.
     *
     * @param entry the entry {@code frame} encodes, when it is not a chat message and the caller
     *              has it; null: read from the frame when needed
     */
    void add(long id, Frame frame, LogEntry entry) {
        if (!entries.isEmpty() && id <= entries.peekLast().id) {
            throw new IllegalArgumentException("ids must increase: " + id + " after " + entries.peekLast().id);
        }
        lastActive = System.nanoTime();
        // Kept without its wire copy: a frame in history is its text once, not text and frame twice.
        Frame kept = frame.withoutWireCache();
        boolean chat = entry == null && FrameEncoder.isChat(kept.json());
        if (!chat) {
            change(entry != null ? entry : (LogEntry) FrameEncoder.logFrame(kept.json()));
        }
        if (capacity == 0 || released) {
            heldAfter = id;
            return;
        }
        if (chat && chats == capacity) {
            dropOldestMessage();
        } else if (!chat && entries.size() - chats == capacity * ENTRIES_PER_MESSAGE) {
            dropOldestOther();
        }
        Entry added = new Entry(id, chat, kept, chat ? kept : null);
        entries.addLast(added);
        if (chat) {
            chats++;
        }
        charge(added.cost());
    }

    /** The held chat message {@code entry} is about, changed by it, re-encoded and charged anew. */
    private void change(LogEntry entry) {
        if (entry instanceof LogEntry.Delete) {
            forgetEdits(entry.target()); // also when the message itself is no longer held here: its edits may be
        }
        Entry target = find(entry.target());
        if (target == null || !target.chat) {
            return;
        }
        long before = target.cost();
        ChatMessage now = RoomLog.apply(target.message(), entry);
        target.state = now;
        target.frame = Frame.of(FrameEncoder.toJson(now)).withoutWireCache();
        ChatMessage plain = RoomLog.plain(now);
        target.plain = plain == null ? null : Frame.of(FrameEncoder.toJson(plain)).withoutWireCache();
        charge(target.cost() - before);
    }

    /** The edits of a message being deleted go with its text: no replay spells it again. */
    private void forgetEdits(long target) {
        Iterator<Entry> it = entries.iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (!e.chat && e.id > target && FrameEncoder.isEdit(e.frame.json())
                    && ((LogEntry) FrameEncoder.logFrame(e.frame.json())).target() == target) {
                it.remove();
                charge(-e.cost());
            }
        }
    }

    private void charge(long cost) {
        charged += cost;
        budget.charge(cost);
    }

    /** Entries up to {@code upTo} that were never added are gone for good: a {@code since} before it is not covered. */
    void lost(long upTo) {
        heldAfter = Math.max(heldAfter, upTo);
    }

    /** The newest {@code count} chat messages, oldest first. */
    List<Entry> last(int count) {
        return before(null, count);
    }

    /** The held chat message with this id as it is now, or null. */
    ChatMessage message(long id) {
        Entry entry = find(id);
        return entry == null || !entry.chat ? null : entry.message();
    }

    /**
     * The held entry with this id, or null: looked for from the newest, where a duplicate from
     * the channel is, so that finding it costs its distance from the newest, not a copy of the rest.
     */
    Entry find(long id) {
        Iterator<Entry> it = entries.descendingIterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.id <= id) {
                return e.id == id ? e : null;
            }
        }
        return null;
    }

    /** Every held entry with an id above {@code since}, oldest first: a replay. */
    List<Entry> after(long since) {
        List<Entry> result = new ArrayList<>();
        Iterator<Entry> it = entries.descendingIterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.id <= since) {
                break;
            }
            result.add(e);
        }
        Collections.reverse(result);
        return result;
    }

    /** Up to {@code limit} of the newest chat messages with an id below {@code before} (all when null), oldest first. */
    List<Entry> before(Long before, int limit) {
        List<Entry> result = new ArrayList<>(Math.min(limit, chats));
        Iterator<Entry> it = entries.descendingIterator();
        while (it.hasNext() && result.size() < limit) {
            Entry e = it.next();
            if (e.chat && (before == null || e.id < before)) {
                result.add(e);
            }
        }
        Collections.reverse(result);
        return result;
    }

    /**
     * The chat messages held after {@code read}, newest first, as they are now (encoded): what
     * {@link #unread} counts, taken under the room's lock and counted after it is released.
     */
    List<Frame> chatsAfter(long read) {
        List<Frame> result = new ArrayList<>();
        Iterator<Entry> it = entries.descendingIterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.id <= read) {
                break;
            }
            if (e.chat) {
                result.add(e.frame);
            }
        }
        return result;
    }

    /**
     * Of chat messages newest first ({@link #chatsAfter}), those not {@code user}'s and not deleted,
     * counted up to {@code cap}, and how many of them mention {@code @user} (case-insensitive): read
     * back from their frames without keeping what was read, so that asking costs no heap.
     */
    static Positions.Unread unread(List<Frame> chats, String user, int cap) {
        String mention = Positions.mention(user);
        int unread = 0;
        int mentions = 0;
        for (int i = 0; i < chats.size() && unread < cap; i++) {
            ChatMessage message = (ChatMessage) FrameEncoder.logFrame(chats.get(i).json());
            if (!message.wasDeleted() && !user.equals(message.user())) {
                unread++;
                if (message.msg() != null && message.msg().toLowerCase(Locale.ROOT).contains(mention)) {
                    mentions++;
                }
            }
        }
        return new Positions.Unread(unread, mentions);
    }

    /** Whether a chat message older than {@code id} is still held. */
    boolean holdsBefore(long id) {
        for (Entry e : entries) {
            if (e.id >= id) {
                return false;
            }
            if (e.chat) {
                return true;
            }
        }
        return false;
    }

    /** Whether every entry after {@code since} is held: a client that saw up to it misses nothing. */
    boolean covers(long since) {
        return since >= heldAfter;
    }

    /** Forgets every entry; everything up to {@code upTo} counts as gone. */
    void clear(long upTo) {
        while (!entries.isEmpty()) {
            dropOldest();
        }
        heldAfter = upTo;
    }

    /** The room is forgotten: its entries leave the budget, and it keeps none from now on. */
    void release() {
        clear(heldAfter);
        released = true;
        budget.unregister(this);
    }

    /** Chat messages held. */
    int size() {
        return chats;
    }

    /** With {@link #lock} held: drops the oldest entry; false when there is none. */
    boolean dropOldest() {
        Entry oldest = entries.pollFirst();
        if (oldest == null) {
            return false;
        }
        if (oldest.chat) {
            chats--;
        }
        heldAfter = Math.max(heldAfter, oldest.id);
        charge(-oldest.cost());
        return true;
    }

    /**
     * Drops the oldest chat message, with the entries before it and those after it up to the next
     * message, which were about messages no longer held.
     */
    private void dropOldestMessage() {
        Entry oldest;
        do {
            oldest = entries.peekFirst();
            dropOldest();
        } while (oldest != null && !oldest.chat);
        while (!entries.isEmpty() && !entries.peekFirst().chat) {
            dropOldest();
        }
    }

    /**
     * Drops the oldest entry that is not a chat message, wherever it is, so that a reaction storm
     * costs old entries, not the messages: a client that saw less than it is not told it missed
     * nothing (its replay would lack it), and gets the messages as they are now instead.
     */
    private void dropOldestOther() {
        Iterator<Entry> it = entries.iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (!e.chat) {
                it.remove();
                heldAfter = Math.max(heldAfter, e.id);
                charge(-e.cost());
                return;
            }
        }
    }

    /** Bytes this history holds in its budget. */
    long charged() {
        return charged;
    }
}

package dev.jchat.room;

import dev.jchat.connection.Frame;
import dev.jchat.connection.Member;
import dev.jchat.message.FrameEncoder;
import dev.jchat.message.Join;
import dev.jchat.message.Leave;
import dev.jchat.message.ChatMessage;
import dev.jchat.message.ErrorCode;
import dev.jchat.message.LogEntry;
import dev.jchat.message.ServerFrame;
import dev.jchat.message.Typing;
import dev.jchat.message.Welcome;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * What one server holds of one room, whichever engine carries it: the members connected here,
 * who is online ({@link Presence}, announced to the members, coalesced in big rooms), the newest
 * messages ({@link History}), the room's epoch and newest id, who may say it is typing
 * ({@link TypingPace}), and the one order in which all of it is queued to the members. A message comes in
 * one way, whichever engine numbered it: {@link #deliver} (or {@link #queue}, for an engine that
 * numbers under a lock of its own). The engine chooses, by the factory it creates the audience
 * with, whether presence is this server's alone and where the sends run: {@link #alone} for the
 * in-memory engine, {@link #shared} for one that spans servers.
 *
 * <p>Thread-safe: one lock orders ids, history, presence and the queueing of every frame, so all
 * members see one order; the sends start after the lock is released ({@link Sends}), each from
 * its own outbox.
 */
public final class Audience {

    /** What became of a join. */
    public enum Joined {
        /** The member is in the room. */
        IN,
        /** The room was retired meanwhile: join its successor. */
        RETIRED,
        /** The connection closed while it was joining: it stays out. */
        GONE,
        /** The member's name is banned from the room: it was told so, and stays out. */
        BANNED
    }

    /** Rooms with at least this many connections here coalesce their presence announcements. */
    static final int COALESCE_AT = 100;
    static final String BANNED = "a moderator banned you from this room";
    static final String KICKED = "a moderator removed you from this room";
    static final long COALESCE_MILLIS = 100;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Room room;
    private final int replay;
    private final History history;
    private final HistoryBudget budget;
    private final Presence presence;
    private final BiConsumer<Runnable, Duration> timer;
    private final Executor sendOn; // where the sends a change started run
    private final Set<Member> members = new LinkedHashSet<>();
    private final Sanctions sanctions;
    private final TypingPace typing = new TypingPace();
    private boolean announcing;    // a coalesced announcement is due
    private String epoch;
    private long lastId;
    private boolean retired;

    /**
     * How an engine that spans servers learns which names this server has in the room. Called
     * with the audience's lock held, in the order of the changes: it must not block.
     */
    public interface SharedPresence {

        /** The name has its first connection here, or is still here (see {@link #refreshPresence}). */
        void here(String name);

        /** The name's last connection here closed. */
        void gone(String name);
    }

    private Audience(Room room, String epoch, int historySize, HistoryBudget budget, int replay, Presence presence,
                     BiConsumer<Runnable, Duration> timer, Executor sendOn, Sanctions sanctions) {
        this.room = room;
        this.sanctions = sanctions;
        this.epoch = epoch;
        this.replay = replay;
        this.history = new History(historySize, budget, this);
        this.budget = budget;
        this.presence = presence;
        this.timer = timer;
        this.sendOn = sendOn;
    }

    /**
     * The audience of a room that lives on this server alone (the in-memory engine): a name is
     * online while it has a connection here, and the sends a change started run on the caller's
     * thread before the call returns.
     *
     * @param room   the room this is all of, for {@link Member#enter}
     * @param epoch  the epoch its ids are numbered in
     * @param budget the heap the histories of every room on this server share
     * @param timer  runs a task once after a delay, without blocking
     * @param sanctions the room's mutes and bans, which the engine keeps beyond the audience
     */
    public static Audience alone(Room room, String epoch, int historySize, HistoryBudget budget, int replay,
                                 BiConsumer<Runnable, Duration> timer, Sanctions sanctions) {
        return new Audience(room, epoch, historySize, budget, replay, Presence.alone(), timer, Runnable::run, sanctions);
    }

    /**
     * This server's part of a room shared by servers (the Redis engine): its epoch, ids and names
     * online come from the engine ({@link #load}, {@link #deliver}, {@link #online}); the engine
     * is told of the names here through {@code presence}, and a name leaves only when it says so.
     *
     * @param room     the room this is the local part of, for {@link Member#enter}
     * @param budget   the heap the histories of every room on this server share
     * @param presence told of the names here, with the audience's lock held
     * @param timer    runs a task once after a delay, without blocking
     * @param sends    where the sends a change started run, in parts of {@link Sends#PER_TASK}
     *                 connections, so that the caller goes on meanwhile
     * @param sanctions the room's mutes and bans, as the engine loaded them
     */
    public static Audience shared(Room room, int historySize, HistoryBudget budget, int replay, SharedPresence presence,
                                  BiConsumer<Runnable, Duration> timer, Executor sends, Sanctions sanctions) {
        return new Audience(room, null, historySize, budget, replay, Presence.shared(presence), timer, sends,
                sanctions);
    }

    /**
     * Adds the member and queues, in order, its welcome and the history it should see; later
     * frames reach it live. A named member counts as a connection of its name here.
     */
    public Joined join(Member member, Long since, String clientEpoch) {
        Sends sends = new Sends(sendOn);
        Sanctions.Sanction ban;
        synchronized (this) {
            if (retired) {
                return Joined.RETIRED;
            }
            // under the lock: a ban taking effect meanwhile either sees this member, or is seen here
            ban = sanctions.banned(member.name(), now());
            if (ban == null && !member.enter(room)) {
                return Joined.GONE;
            }
            if (ban == null) {
                queueJoin(member, since, clientEpoch, sends);
            }
        }
        if (ban != null) {
            member.refuseJoin(room.name(), ErrorCode.BANNED, BANNED, ban.until(), ban.reason()); // it may write: no lock
            return Joined.BANNED;
        }
        sends.start();
        return Joined.IN;
    }

    /** With the lock held: the member is in, its welcome and backlog queued. */
    private void queueJoin(Member member, Long since, String clientEpoch, Sends sends) {
        List<History.Entry> backlog;
        boolean recovered;
        if (since == null) {
            backlog = history.last(replay);
            recovered = true;
        } else if (clientEpoch != null && !clientEpoch.equals(epoch) || since > lastId) {
            backlog = history.last(replay); // ids from another sequence: nothing to compare
            recovered = false;
        } else {
            backlog = history.after(since);
            recovered = history.covers(since);
        }
        members.add(member);
        String user = member.name();
        if (user != null) {
            countHere(member, user, sends);
        }
        boolean v3 = member.v3();
        Peers peers = Direct.is(room.name()) ? room.peers() : null;
        Boolean otherOnline = peers == null ? null : peers.online(member, room.name());
        Welcome welcome = new Welcome(user, room.name(), presence.online(), lastId, epoch, recovered, member.key(),
                v3 && member.moderator() ? Boolean.TRUE : null, otherOnline);
        sends.queueJoin(member, Frame.of(FrameEncoder.toJson(welcome)),
                backlog.stream().map(e -> e.frameFor(v3)).filter(Objects::nonNull).toList());
        if (peers != null) {
            peers.welcomed(member, room.name(), otherOnline, sends); // its changes follow the welcome from now on
        }
        if (!member.closing()) { // else the outbox dropped the welcome: nobody was told of the room, nor of a key
            member.welcomed(room); // frames from outside the room may follow now
        }
    }

    /**
     * Names a member that joined without a name. One whose name is banned here leaves the room,
     * unnamed and never counted: nothing it sends reaches the room.
     */
    public void name(Member member, String user) {
        Sends sends = new Sends(sendOn);
        Sanctions.Sanction ban;
        synchronized (this) {
            ban = sanctions.banned(user, now());
            if (ban != null) {
                members.remove(member);
            } else {
                member.name(user);
                if (members.contains(member)) {
                    countHere(member, user, sends);
                }
            }
        }
        sends.start();
        if (ban != null) {
            member.removedFrom(room, ErrorCode.BANNED, BANNED, ban.until(), ban.reason());
        }
    }

    /**
     * Removes a member. When it was its name's last connection here, the name leaves the room at
     * once, or, with shared presence, when the engine says so.
     */
    public void leave(Member member) {
        leave(member, null);
    }

    /**
     * Removes a member, as above, and queues {@code farewell} to it (version 3's
     * {@code unsubscribed}) after the last frame of the room it gets: nothing of the room follows.
     * The farewell goes also when the member was not in the room (it was still joining).
     */
    public void leave(Member member, Frame farewell) {
        Sends sends = new Sends(sendOn);
        synchronized (this) {
            if (farewell != null) {
                sends.queue(member, farewell);
            }
            remove(member, sends);
        }
        sends.start();
    }

    /** With the lock held: the member is no longer here; when it was its name's last connection, the name leaves. */
    private void remove(Member member, Sends sends) {
        String user = member.name();
        if (members.remove(member) && user != null) {
            if (presence.departed(user)) {
                announce(null, sends);
            }
            if (!presence.isHere(user)) {
                typing.forget(user);
            }
        }
    }

    /** Tells the shared presence again of every name here, so that it does not expire them (alone: nothing to tell). */
    public synchronized void refreshPresence() {
        presence.refresh();
    }

    /** Answers the member alone with older messages: what {@link Room#history} promises. */
    public void history(Member to, Long before, int limit) {
        Page page = page(to.v3(), before, limit);
        to.send(FrameEncoder.history(room.name(), page.messages(), page.more()));
    }

    /**
     * A page of the room's log: its epoch, the chat messages (encoded frames) as a connection of
     * that version sees them, oldest first, and whether older ones are held.
     */
    public record Page(String epoch, List<String> messages, boolean more) {
    }

    /**
     * Up to {@code limit} messages below {@code before} (or the newest), as a connection of that
     * version is answered them: what {@link #history} sends, and what the HTTP API answers (v3).
     */
    public synchronized Page page(boolean v3, Long before, int limit) {
        return page(history, epoch(), v3, before, limit);
    }

    /**
     * The same page of a log a shared engine read whole for it (newest entries, oldest first, as
     * {@link #load} takes them), for a server that holds no copy of the room: the HTTP API's read.
     * A history of its own, outside every budget, dropped once answered.
     */
    public static Page page(String epoch, long lastId, List<Long> ids, List<Frame> frames, int historySize, Long before,
                            int limit) {
        History read = new History(historySize);
        read.clear(ids.isEmpty() ? lastId : ids.get(0) - 1);
        for (int i = 0; i < ids.size(); i++) {
            read.add(ids.get(i), frames.get(i), null);
        }
        return page(read, epoch, true, before, limit);
    }

    private static Page page(History history, String epoch, boolean v3, Long before, int limit) {
        List<History.Entry> page = history.before(before, limit);
        long oldest = page.isEmpty() ? (before == null ? Long.MAX_VALUE : before) : page.get(0).id();
        return new Page(epoch, page.stream().map(e -> e.frameFor(v3)).filter(Objects::nonNull).map(Frame::json).toList(),
                history.holdsBefore(oldest));
    }

    /** The distinct names online in the room, on any server, sorted. */
    public synchronized List<String> online() {
        return presence.online();
    }

    /**
     * Whether the member's name may say it is typing now: at most once a second per name, counted
     * on this server. A member not in the room (or without a name) may not.
     */
    public synchronized boolean mayType(Member from, long nowNanos) {
        String user = from.name();
        return user != null && members.contains(from) && typing.allows(user, nowNanos);
    }

    /** Tells every member here whose name is not {@code user} that {@code user} is typing. */
    public void relayTyping(String user) {
        Sends sends = new Sends(sendOn);
        synchronized (this) {
            Frame frame = Frame.of(FrameEncoder.toJson(new Typing(user, room.name())));
            for (Member m : members) {
                if (!user.equals(m.name())) {
                    sends.queue(m, frame);
                }
            }
        }
        sends.start();
    }

    /** Distinct names online in the room, on any server. */
    public synchronized int onlineCount() {
        return presence.count();
    }

    /** Whether the member is in the room (it may have been given up on while its message was on the way). */
    public synchronized boolean contains(Member member) {
        return members.contains(member);
    }

    /** Whether its engine forgot the room ({@link #retireIfEmpty}): what is queued now reaches nobody, ever. */
    public synchronized boolean retired() {
        return retired;
    }

    /** True when nobody is connected to the room here. */
    public synchronized boolean isEmpty() {
        return members.isEmpty();
    }

    /** Retires the room if nobody is in it, so that its engine can forget it; false if someone is. */
    public synchronized boolean retireIfEmpty() {
        if (retired || !members.isEmpty()) {
            return false;
        }
        retired = true;
        history.release(); // forgotten by its engine: its messages no longer count against the budget
        return true;
    }

    /** The room's epoch and newest id as this server has them. */
    public synchronized long lastId() {
        return lastId;
    }

    public synchronized String epoch() {
        return epoch;
    }

    /** The frame this server holds of entry {@code id} as it is now, or null when it holds none. */
    public synchronized Frame held(long id) {
        History.Entry entry = history.find(id);
        return entry == null ? null : entry.frame;
    }

    /**
     * What this server holds of the room unread for {@code user}, who read it up to {@code read}
     * ({@link History#unread}): the frames are taken under the lock, read and counted after it.
     */
    public Positions.Unread unread(String user, long read, int cap) {
        List<Frame> chats;
        synchronized (this) {
            chats = history.chatsAfter(read);
        }
        return History.unread(chats, user, cap);
    }

    /** The chat message {@code id} as this server holds it now, or null when it holds none. */
    public synchronized ChatMessage message(long id) {
        return history.message(id);
    }

    /**
     * Stores an entry of the log its engine numbered (a chat message, or an edit, deletion,
     * reaction or moderation) and queues it to every member it is for, then starts the sends:
     * the one way an entry reaches the room's members, on either engine. A chat message goes to
     * every member; any other entry to version-3 members only, and changes the message it is
     * about. Ids at or below {@link #lastId()} are ignored (already delivered); the caller hands
     * them over in order, and tells of a gap it could not fill first ({@link #lost}).
     */
    public void deliver(long id, Frame frame) {
        queue(id, frame, null).start();
    }

    /**
     * What {@link #deliver} does under the lock, without starting the sends: for an engine that
     * numbers entries under a lock of its own, so that ids are queued in the order they were
     * given, and starts the returned sends once it released that lock (the memory engine).
     *
     * @param entry what {@code frame} encodes when it is not a chat message, if the caller has it
     *              (else it is read from the frame); null for a chat message
     */
    public Sends queue(long id, Frame frame, LogEntry entry) {
        Sends sends = new Sends(sendOn);
        synchronized (this) {
            if (id > lastId) {
                lastId = id;
                boolean chat = entry == null && FrameEncoder.isChat(frame.json());
                if (!chat && entry == null) {
                    entry = (LogEntry) FrameEncoder.logFrame(frame.json());
                }
                history.add(id, frame, entry);
                if (chat) {
                    queueToAll(frame, null, sends);
                } else {
                    queueToV3(frame, sends);
                    if (entry instanceof LogEntry.Moderation moderation) {
                        moderate(moderation, sends);
                    }
                }
                sends.thenEnforce(budget); // after the lock: it may trim other rooms, one lock at a time
            }
        }
        return sends;
    }

    /**
     * The engine will never have the messages after {@link #lastId()} up to {@code upTo}: a client
     * that saw less than {@code upTo} is not told it missed nothing.
     */
    public synchronized void lost(long upTo) {
        history.lost(upTo);
    }

    /**
     * Loads what the engine holds of the room before anyone joins here: its epoch, newest id, the
     * newest messages (oldest first) and the names online.
     */
    public void load(String epoch, long lastId, List<Long> ids, List<Frame> frames, Collection<String> names) {
        loadLocked(epoch, lastId, ids, frames, names);
        budget.enforce();
    }

    private synchronized void loadLocked(String epoch, long lastId, List<Long> ids, List<Frame> frames,
                                         Collection<String> names) {
        this.epoch = epoch;
        this.lastId = lastId;
        history.clear(ids.isEmpty() ? lastId : ids.get(0) - 1); // what came before the first message held is gone here
        for (int i = 0; i < ids.size(); i++) {
            history.add(ids.get(i), frames.get(i), null);
        }
        presence.load(names);
    }

    /** The engine says these names came into the room, or left it, on some server. */
    public void online(Collection<String> came, Collection<String> left) {
        Sends sends = new Sends(sendOn);
        synchronized (this) {
            if (presence.changed(came, left)) {
                announce(null, sends);
            }
        }
        sends.start();
    }

    /** The engine says exactly these names are in the room, on some server (besides those here). */
    public void onlineAre(Collection<String> names) {
        List<String> left;
        synchronized (this) {
            left = presence.onlineBesides(names);
        }
        online(names, left);
    }

    /** Closes every member, for a room whose sequence was lost: they come back to its new epoch. */
    public void closeAll(jakarta.websocket.CloseReason reason) {
        List<Member> all;
        synchronized (this) {
            all = List.copyOf(members);
        }
        all.forEach(m -> m.close(reason));
    }

    /**
     * The room's bans, as the engine loaded them anew, hold for those already in the room too: a
     * member whose name is banned now is removed as the ban's entry removes it. For a copy that
     * missed the entry itself (in a gap its engine no longer holds); one that applies the entry
     * afterwards finds the name gone.
     */
    public void removeBanned() {
        Sends sends = new Sends(sendOn);
        List<Member> removed = new ArrayList<>();
        List<Sanctions.Sanction> bans = new ArrayList<>();
        synchronized (this) {
            for (Member m : List.copyOf(members)) {
                Sanctions.Sanction ban = m.name() == null ? null : sanctions.banned(m.name(), now());
                if (ban != null) {
                    remove(m, sends); // here, so that the ban's entry, should it come after all, finds it gone
                    removed.add(m);
                    bans.add(ban);
                }
            }
        }
        sends.start();
        for (int i = 0; i < removed.size(); i++) { // it may write: no lock
            removed.get(i).removedFrom(room, ErrorCode.BANNED, BANNED, bans.get(i).until(), bans.get(i).reason());
        }
    }

    /**
     * Starts the room over under {@code newEpoch} with no message, and closes every member with
     * {@code reason}: a direct conversation whose claims changed, whose history is not the new
     * claimant's to read. Those in the room now are the ones closed; whoever joins after sees only
     * the new epoch.
     */
    public void startOver(String newEpoch, jakarta.websocket.CloseReason reason) {
        List<Member> all;
        synchronized (this) {
            epoch = newEpoch;
            lastId = 0;
            history.clear(0); // a new sequence, nothing of the old one held
            all = List.copyOf(members);
        }
        all.forEach(m -> m.close(reason));
    }

    /** With the lock held: one more connection of the name here; its first is online at once. */
    private void countHere(Member member, String user, Sends sends) {
        if (presence.arrived(user)) {
            announce(member, sends);
        }
    }

    /**
     * With the lock held, after presence changed: tells the room at once while it is small and
     * quiet. In a big room (a crowd arriving, thousands coming back after a restart) the changes
     * of the next {@link #COALESCE_MILLIS} are told together, one {@code join} and one
     * {@code leave} naming every name, so a crowd of n costs n frames each rather than n².
     */
    private void announce(Member joiner, Sends sends) {
        if (announcing) {
            return; // the coming announcement tells this change too
        }
        if (members.size() >= COALESCE_AT) {
            announcing = true;
            timer.accept(this::announceNow, Duration.ofMillis(COALESCE_MILLIS));
        }
        queueAnnouncements(joiner, sends);
    }

    /** The coalesced announcement. */
    private void announceNow() {
        Sends sends = new Sends(sendOn);
        synchronized (this) {
            announcing = false;
            queueAnnouncements(null, sends);
        }
        sends.start();
    }

    /** With the lock held: what changed since the last announcement, to everyone but {@code joiner}. */
    private void queueAnnouncements(Member joiner, Sends sends) {
        Presence.News news = presence.news();
        List<String> left = news.left();
        List<String> joined = news.came();
        if (!left.isEmpty()) {
            Leave leave = new Leave(left.get(0), left.size() == 1 ? null : left, now(), presence.count(), room.name());
            queueToAll(Frame.of(FrameEncoder.toJson(leave)), null, sends);
        }
        if (!joined.isEmpty()) {
            ServerFrame join = new Join(joined.get(0), joined.size() == 1 ? null : joined, now(), presence.count(), room.name());
            queueToAll(Frame.of(FrameEncoder.toJson(join)), joined.size() == 1 ? joiner : null, sends);
        }
    }

    /** With the lock held: one encoded frame to every member but {@code except}. */
    private void queueToAll(Frame frame, Member except, Sends sends) {
        sends.expect(members.size());
        for (Member m : members) {
            if (m != except) {
                sends.queue(m, frame);
            }
        }
    }

    /**
     * With the lock held: a moderation entry takes effect here. A ban or a kick removes the name's
     * members once the entry's sends started (each is told why after the entry itself).
     */
    private void moderate(LogEntry.Moderation entry, Sends sends) {
        sanctions.apply(entry);
        boolean ban = entry.action().equals("ban");
        if (!ban && !entry.action().equals("kick")) {
            return;
        }
        List<Member> removed = members.stream().filter(m -> Sanctions.sameName(entry.user(), m.name())).toList();
        if (!removed.isEmpty()) {
            sends.then(() -> removed.forEach(m -> m.removedFrom(room, ban ? ErrorCode.BANNED : ErrorCode.KICKED,
                    ban ? BANNED : KICKED, ban ? entry.until() : null, entry.reason())));
        }
    }

    /** The name's mute in this room now, or null. */
    public Sanctions.Sanction muted(String name) {
        return sanctions.muted(name, now());
    }

    /** With the lock held: one encoded frame to every version-3 member (an entry of the log older clients do not see). */
    private void queueToV3(Frame frame, Sends sends) {
        sends.expect(members.size());
        for (Member m : members) {
            if (m.v3()) {
                sends.queue(m, frame);
            }
        }
    }

    /** A new epoch: names an id sequence that starts now. */
    public static String newEpoch() {
        return Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }

    /** The time stamp of a frame made now, to the millisecond as PROTOCOL.md shows it. */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}

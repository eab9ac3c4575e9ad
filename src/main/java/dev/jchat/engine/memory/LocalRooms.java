package dev.jchat.engine.memory;

import dev.jchat.message.ChatMessage;
import dev.jchat.config.ChatConfig;
import dev.jchat.message.ErrorCode;
import dev.jchat.message.MyRooms;
import dev.jchat.message.RoomList;
import dev.jchat.room.Audience;
import dev.jchat.ChatHub;
import dev.jchat.room.Direct;
import dev.jchat.room.HistoryBudget;
import dev.jchat.connection.Frame;
import dev.jchat.connection.Member;
import dev.jchat.room.Names;
import dev.jchat.room.Positions;
import dev.jchat.room.Room;
import dev.jchat.room.Sanctions;
import dev.jchat.room.RoomLog;
import dev.jchat.room.RoomRegistry;
import dev.jchat.security.RefusedException;
import dev.jchat.message.ServerFrame;
import dev.jchat.webhook.OnlineNames;
import dev.jchat.webhook.Webhooks;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * Rooms in this JVM's memory, at most {@code CHAT_MAX_ROOMS} of them. Thread-safe.
 *
 * <p>A room that never had a message is dropped when its last member leaves. One with messages is
 * kept for whoever comes back; when a new room needs its place, the room that has been empty the
 * longest is forgotten (coming back to it later shows a new epoch). When every room has someone in
 * it, a new room is refused with {@code room-limit}. Their histories share one {@link HistoryBudget}.
 *
 * <p>Locks: a room's own lock may be held while taking {@link #idle}'s, never the other way round.
 */
public final class LocalRooms implements RoomRegistry {

    private final ConcurrentMap<String, LocalRoom> rooms = new ConcurrentHashMap<>();
    /** Mutes and bans by room, for the server's life: a room forgotten and made again keeps them; dropped when empty. */
    private final ConcurrentMap<String, Sanctions> sanctions = new ConcurrentHashMap<>();
    private final LinkedHashSet<LocalRoom> idle = new LinkedHashSet<>(); // empty rooms with history, longest empty first
    private final Object creating = new Object();
    private final int historySize;
    private final int historyReplay;
    private final int maxRooms;
    private final ChatHub hub;
    private final LocalNames names;
    private final LocalPositions positions;
    private final HistoryBudget historyBudget;
    private volatile LocalWhereabouts webhooks; // null: webhooks are off

    /** The rooms of {@code hub}, which runs their timers, counts their messages and carries their notices. */
    public LocalRooms(ChatConfig config, ChatHub hub) {
        this(config, hub, System::nanoTime);
    }

    /** As above, with the clock name holds run out by (tests make a month pass). */
    public LocalRooms(ChatConfig config, ChatHub hub, LongSupplier clock) {
        this.historySize = config.historySize();
        this.historyReplay = config.historyReplay();
        this.maxRooms = config.maxRooms();
        this.hub = hub;
        this.names = new LocalNames(Duration.ofDays(config.security().nameHoldDays()), clock);
        this.historyBudget = HistoryBudget.ofMegabytes(config.engine().historyMaxMb());
        this.positions = new LocalPositions(Duration.ofDays(config.engine().historyDays()));
    }

    @Override
    public Room join(String name, Member member, Long since, String epoch) throws RefusedException {
        String owners = null;
        if (Direct.is(name)) {
            Direct.Admission admission = Direct.admission(name, member, names, hub.peers()).toCompletableFuture().join();
            if (admission.refusal() != null) {
                throw admission.refusal();
            }
            owners = admission.owners();
        }
        while (true) {
            LocalRoom room = rooms.get(name);
            if (room == null) {
                room = create(name);
            }
            Audience.Joined joined = room.join(member, since, epoch, owners);
            if (joined != Audience.Joined.RETIRED) {
                if (joined != Audience.Joined.IN) {
                    room.retireIfUnused(); // made for a connection that closed meanwhile
                }
                return room;
            }
            // it was forgotten between the lookup and the join: its successor is a create() away
        }
    }

    @Override
    public CompletionStage<List<RoomList.Entry>> directory(int max) {
        return CompletableFuture.completedFuture(
                RoomRegistry.firstOf(rooms.values().stream().map(LocalRoom::entry).toList(), max));
    }

    @Override
    public CompletionStage<Posted> post(ChatMessage message) {
        try {
            Sanctions kept = sanctions.get(message.room());
            RefusedException refused = kept == null ? null : kept.refusal(message.user(), Audience.now());
            if (refused != null) {
                throw refused;
            }
            while (true) {
                LocalRoom room = held(message.room());
                long id = room.post(message);
                if (!room.retired()) {
                    return CompletableFuture.completedFuture(new Posted(message.room(), id, room.epoch(), message.dateTime()));
                }
                // forgotten between the lookup and the post (nobody was in it): posted again, to its successor
            }
        } catch (RefusedException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Long> moderate(String name, String action, String user, Instant until, String reason) {
        try {
            return CompletableFuture.completedFuture(held(name).moderate(API_USER, action, user, until, reason));
        } catch (RefusedException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Integer> disconnect(String user, String reason) {
        return CompletableFuture.completedFuture(hub.disconnect(user, reason));
    }

    /** The room of that name, made if none is held. */
    private LocalRoom held(String name) throws RefusedException {
        LocalRoom room = rooms.get(name);
        return room != null ? room : create(name);
    }

    @Override
    public CompletionStage<Long> delete(String name, long id) {
        LocalRoom room = rooms.get(name);
        RoomLog.Decision decision = room == null ? null : room.amend(new RoomLog.Delete(id), API_USER, true);
        if (decision == null || decision.entry() == null) {
            return CompletableFuture.failedFuture(new RefusedException(ErrorCode.NOT_FOUND,
                    decision == null ? "no such room" : decision.why()));
        }
        return CompletableFuture.completedFuture(decision.entry().id());
    }

    @Override
    public CompletionStage<Audience.Page> page(String name, Long before, int limit) {
        LocalRoom room = rooms.get(name);
        return CompletableFuture.completedFuture(room == null ? null : room.page(before, limit));
    }

    @Override
    public CompletionStage<List<String>> online(String name) {
        LocalRoom room = rooms.get(name);
        return CompletableFuture.completedFuture(room == null ? null : room.online());
    }

    /** Counted from the rooms here, each room's history being all this engine holds of it. */
    @Override
    public CompletionStage<List<MyRooms.Entry>> mine(String owner, String user) {
        return positions.mine(owner).thenApply(places -> places.stream().map(place -> {
            LocalRoom room = rooms.get(place.room());
            if (room == null) { // forgotten: nothing of it is held
                return RoomRegistry.line(place, 0, 0, new Positions.Unread(0, 0));
            }
            RoomList.Entry entry = room.entry();
            return RoomRegistry.line(place, entry.online(), entry.lastId(),
                    room.unread(user, Math.min(place.read(), entry.lastId())));
        }).toList());
    }

    @Override
    public Positions positions() {
        return positions;
    }

    @Override
    public void tell(String user, Frame frame, Member except) {
        hub.tell(user, frame, except);
    }

    /** Number of rooms held, for tests and metrics. */
    public int size() {
        return rooms.size();
    }

    @Override
    public Names names() {
        return names;
    }

    @Override
    public OnlineNames.Whereabouts webhooks(Webhooks delivery) {
        webhooks = new LocalWhereabouts(hub, delivery);
        return webhooks;
    }

    /** An entry a room numbered, under its lock: its webhook event, if webhooks are on and it makes one. */
    void appended(String room, ServerFrame entry) {
        LocalWhereabouts events = webhooks;
        if (events != null) {
            events.entry(room, entry);
        }
    }

    /** The heap every room's history here shares. */
    HistoryBudget historyBudget() {
        return historyBudget;
    }

    ChatHub hub() {
        return hub;
    }

    /** Runs a task once after a delay, on the hub's timer. */
    BiConsumer<Runnable, Duration> timer() {
        return hub::schedule;
    }

    void retire(LocalRoom room) {
        rooms.remove(room.name(), room);
        forgetSanctionsIfNone(room.name());
    }

    /** A forgotten room's sanctions go with it unless one is still in force: made-up rooms cost nothing once gone. */
    private void forgetSanctionsIfNone(String room) {
        sanctions.computeIfPresent(room, (name, kept) -> kept.isEmpty(Audience.now()) ? null : kept);
    }

    /** The room's mutes and bans, for its audience. */
    Sanctions sanctions(String room) {
        return sanctions.computeIfAbsent(room, name -> new Sanctions());
    }

    /** The room's last member left; it keeps its history until its place is needed. */
    void idle(LocalRoom room) {
        synchronized (idle) {
            idle.add(room);
        }
    }

    /** Someone is in the room again. */
    void busy(LocalRoom room) {
        synchronized (idle) {
            idle.remove(room);
        }
    }

    private LocalRoom create(String name) throws RefusedException {
        synchronized (creating) {
            LocalRoom existing = rooms.get(name);
            if (existing != null) {
                return existing;
            }
            if (rooms.size() >= maxRooms && !forgetOne()) {
                throw new RefusedException(ErrorCode.ROOM_LIMIT,
                        "the server holds as many rooms as it may; try again later or join an existing room");
            }
            // In-memory ids restart with the process: a fresh epoch tells clients their old ids mean nothing here.
            String epoch = Audience.newEpoch();
            LocalRoom room = new LocalRoom(this, name, epoch, historySize, historyReplay);
            rooms.put(name, room);
            return room;
        }
    }

    /** Forgets the room that has been empty the longest; false when every room has someone in it. */
    private boolean forgetOne() {
        while (true) {
            LocalRoom oldest;
            synchronized (idle) {
                Iterator<LocalRoom> it = idle.iterator();
                if (!it.hasNext()) {
                    return false;
                }
                oldest = it.next();
                it.remove();
            }
            if (oldest.retireIfEmpty()) { // someone may have come in since it was listed
                rooms.remove(oldest.name(), oldest);
                forgetSanctionsIfNone(oldest.name());
                synchronized (idle) {
                    idle.remove(oldest); // listed again if someone came and went meanwhile
                }
                return true;
            }
        }
    }
}

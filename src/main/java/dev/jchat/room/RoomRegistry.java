package dev.jchat.room;

import dev.jchat.connection.Frame;
import dev.jchat.connection.Member;
import dev.jchat.message.ChatMessage;
import dev.jchat.message.MyRooms;
import dev.jchat.message.RoomList;
import dev.jchat.security.RefusedException;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where rooms live. This is the seam for a distributed engine: an implementation over a shared
 * store can carry ids, history and broadcast across servers without the endpoint changing.
 * Implementations are thread-safe.
 */
public interface RoomRegistry extends AutoCloseable {

    /** What a connection is told when the engine cannot be reached ({@code unavailable}). */
    String UNAVAILABLE = "the chat is unavailable; try again";

    /**
     * Adds a member to the room of that (valid) name, creating it on first use, and queues for
     * the member, in order: {@code welcome}, the history it should see, then live traffic, with
     * no gap and no duplicate between them.
     *
     * @param since id of the last message the client saw, or null
     * @param epoch the epoch {@code since} belongs to, or null for the current one
     * <p>A member whose connection closed while it was joining is left out of the room.
     *
     * @return the room joined
     * @throws RefusedException with {@code room-limit} when the room is new and no place is left for it
     */
    Room join(String room, Member member, Long since, String epoch) throws RefusedException;

    /**
     * The rooms with anyone online, on any server sharing the engine: most people first, then by
     * name, at most {@code max}; direct conversations never. Fails when the engine is unavailable.
     */
    CompletionStage<List<RoomList.Entry>> directory(int max);

    /** The order of the room directory, and its cut. */
    static List<RoomList.Entry> firstOf(Collection<RoomList.Entry> rooms, int max) {
        return rooms.stream()
                .filter(entry -> entry.online() > 0 && !entry.room().startsWith("@"))
                .sorted(Comparator.comparingInt(RoomList.Entry::online).reversed().thenComparing(RoomList.Entry::room))
                .limit(max)
                .toList();
    }

    /** What a message posted through the HTTP API became: its id in the room's epoch, and its time. */
    record Posted(String room, long id, String epoch, java.time.Instant dateTime) {
    }

    /**
     * The HTTP API's post: numbers, stores and broadcasts {@code message} (a chat message of a
     * valid name, {@code "api":true}, id 0) in its room, on every server sharing the engine, as a
     * member's chat is; creates the room when the engine holds none. Fails with a
     * {@link RefusedException} ({@code room-limit}) or when the engine is unavailable (nothing was
     * published).
     */
    CompletionStage<Posted> post(ChatMessage message);

    /**
     * The HTTP API's read: up to {@code limit} messages below {@code before} (or the newest), as a
     * version-3 connection is answered them; null when the engine holds no such room here.
     */
    CompletionStage<Audience.Page> page(String room, Long before, int limit);

    /** Who the HTTP API's deletions and moderation are by, as entries of a room's log say it. */
    String API_USER = "api";

    /**
     * The HTTP API's deletion: deletes chat message {@code id} of the room as a moderator named
     * {@link #API_USER} would, on every server. Answers the {@code delete} entry's id; fails with
     * a {@link RefusedException} ({@code not-found}: no such room or message) or when the engine
     * is unavailable.
     */
    CompletionStage<Long> delete(String room, long id);

    /**
     * The HTTP API's moderation: appends a moderator's action by {@link #API_USER} to the room's
     * log, as {@link Room#moderate} does, making the room if the engine holds none (a ban may
     * come before anyone). Answers the entry's id; fails when the engine is unavailable or
     * ({@link RefusedException}, {@code room-limit}) has no place for a new room.
     */
    CompletionStage<Long> moderate(String room, String action, String user, java.time.Instant until, String reason);

    /**
     * The HTTP API's disconnect: every connection of the name gets {@code error} {@code kicked}
     * and close 1008, on every server of the engine. Answers how many were closed; fails with
     * {@code unavailable} when the engine cannot ask the other servers.
     */
    CompletionStage<Integer> disconnect(String user, String reason);

    /** The HTTP API's presence: the names online in the room, sorted; null when the engine holds no such room here. */
    CompletionStage<List<String>> online(String room);

    /** Who holds which name, where this engine keeps them. */
    Names names();

    /** Version 3: read positions and "my rooms", where this engine keeps rooms. */
    Positions positions();

    /**
     * Version 3: the rooms of {@code owner} ({@link Positions#owner}), whose name is {@code user},
     * as {@code {"type":"rooms","mine":true}} answers them: the most recently active first, with
     * names online and newest id from the engine, and what is unread. Fails when the engine is
     * unavailable.
     */
    CompletionStage<List<MyRooms.Entry>> mine(String owner, String user);

    /**
     * Version 3: queues {@code frame} for every version-3 connection whose own name is
     * {@code user}, on every server sharing the engine, but {@code except} (null: none): the echo
     * of a read position, and {@code seen}. Best effort: what a shared engine cannot carry is logged.
     */
    void tell(String user, Frame frame, Member except);

    /**
     * A line of "my rooms" from what the engine says of the room ({@code online}, {@code lastId};
     * a room it no longer has: 0) and the owner's place in it: the read position never beyond the
     * newest id, and the unread count, or null when it could not be counted.
     */
    static MyRooms.Entry line(Positions.Mine mine, int online, long lastId, Positions.Unread unread) {
        return new MyRooms.Entry(mine.room(), online, lastId, Math.min(mine.read(), lastId),
                unread == null ? null : unread.unread(), unread == null ? null : unread.mentions());
    }

    /** Rooms this server holds now. */
    int size();

    /**
     * Starts the engine's webhook events (docs/API.md, "Webhooks"), delivered by {@code webhooks}:
     * the rooms' entries as they are appended, and {@code online} and {@code offline} from the
     * names the answer is told of. Called once, before any connection, only when webhooks are on.
     * Null: an engine without webhook events (a test's).
     */
    default dev.jchat.webhook.OnlineNames.Whereabouts webhooks(dev.jchat.webhook.Webhooks webhooks) {
        return null;
    }

    /**
     * Where the engine counts names online anywhere, for {@code peers} (made once, by the hub):
     * by default this server is the whole chat, as with the memory engine.
     */
    default Peers.Engine peers(Peers peers) {
        return Peers.alone(peers);
    }

    /** Whether the engine can be reached: false while a shared one is down. */
    default boolean available() {
        return true;
    }

    /**
     * Lets go of what the engine holds outside this JVM (connections, threads), once the hub's
     * connections are closed. The in-memory engine holds nothing.
     */
    @Override
    default void close() {
    }
}

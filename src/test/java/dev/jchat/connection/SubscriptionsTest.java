package dev.jchat.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.room.Room;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rooms of one connection: reserved, joined, written otherwise by the client, left, in order. */
class SubscriptionsTest {

    /** A room that is only a name: what the connection keeps of it. */
    private record Named(String name) implements Room {
        @Override public void name(Member member, String name) { }
        @Override public void publish(Member from, String text) { }
        @Override public void leave(Member member, Frame farewell) { }
        @Override public void typing(Member from) { }
        @Override public void history(Member to, Long before, int limit) { }
        @Override public void amend(Member from, dev.jchat.room.RoomLog.Amend amend) { }
        @Override public void moderate(Member by, String action, String user, java.time.Instant until, String reason) { }
        @Override public dev.jchat.room.Sanctions.Sanction muted(String name) { return null; }
    }

    @Test
    void aRoomIsReservedThenJoinedAndLeft() {
        Subscriptions rooms = new Subscriptions();
        rooms.reserve("lobby", "lobby");
        assertTrue(rooms.contains("lobby"));
        assertNull(rooms.get("lobby"), "still in its join call");
        Room lobby = new Named("lobby");
        rooms.joined("lobby", lobby);
        assertSame(lobby, rooms.get("lobby"));
        assertSame(lobby, rooms.remove("lobby"));
        assertFalse(rooms.contains("lobby"));
        assertEquals(0, rooms.size());
        assertNull(rooms.remove("lobby"));
    }

    @Test
    void manyRoomsKeepTheirOrderAndTheNamesTheClientWrote() {
        Subscriptions rooms = new Subscriptions();
        List<Room> joined = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String name = i % 10 == 0 ? "@me+other" + i : "room" + i;
            rooms.reserve(name, i % 10 == 0 ? "@other" + i : name);
            Room room = new Named(name);
            rooms.joined(name, room);
            joined.add(room);
        }
        assertEquals(100, rooms.size());
        assertEquals("@other50", rooms.asked("@me+other50"));
        assertEquals("room51", rooms.asked("room51"));
        assertSame(joined.get(50), rooms.remove("@me+other50"));
        assertEquals("@other60", rooms.asked("@me+other60"), "what follows a removed room moves up with its spelling");
        assertEquals("room61", rooms.asked("room61"));
        joined.remove(50);
        assertEquals(joined, rooms.clear());
        assertEquals(0, rooms.size());
        rooms.reserve("again", "again");
        assertEquals("again", rooms.asked("again"));
    }

    @Test
    void aRoomLeftDuringItsJoinCallIsNotPutBack() {
        Subscriptions rooms = new Subscriptions();
        rooms.reserve("r", "r");
        assertNull(rooms.remove("r"));
        rooms.joined("r", new Named("r"));
        assertFalse(rooms.contains("r"));
    }
}

package dev.jchat.room;

import dev.jchat.ChatHub;
import dev.jchat.connection.Connections;
import dev.jchat.connection.FakeSession;
import dev.jchat.connection.Frame;
import dev.jchat.connection.Member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.Engines;
import dev.jchat.config.ChatConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The one way a message reaches a room's members: the memory engine numbers it and delivers it
 * as the Redis engine delivers what Redis numbered, so both queue alike.
 */
class AudienceTest {

    private static final Pattern ID = Pattern.compile("\"type\":\"chat\".*?\"id\":(\\d+)|\"id\":(\\d+).*?\"type\":\"chat\"");

    private final ChatHub hub = Engines.inMemory(ChatConfig.defaults(), Connections.NONE);
    private final HistoryBudget budget = new HistoryBudget(Long.MAX_VALUE);

    @AfterEach
    void stop() {
        hub.shutdown(Duration.ZERO);
    }

    /** A room that is only its name: here the audience is what is tested. */
    private record Named(String name) implements Room {
        @Override
        public void name(Member member, String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void publish(Member from, String text) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void leave(Member member, Frame farewell) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void typing(Member from) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void amend(Member from, RoomLog.Amend amend) {
        }

        @Override
        public void moderate(Member by, String action, String user, java.time.Instant until, String reason) {
        }

        @Override
        public Sanctions.Sanction muted(String name) {
            return null;
        }

        @Override
        public void history(Member to, Long before, int limit) {
            throw new UnsupportedOperationException();
        }
    }

    /** A named connection, in the audience's room. */
    private FakeSession joined(Audience audience, String room, String name) {
        FakeSession session = new FakeSession(name, FakeSession.Sends.COMPLETE);
        Member member = hub.open(session.session);
        member.name(name);
        assertTrue(member.reserve(room, room));
        assertEquals(Audience.Joined.IN, audience.join(member, null, null));
        return session;
    }

    private static List<String> chats(FakeSession session) {
        return session.sent.stream().filter(t -> t.contains("\"type\":\"chat\"")).toList();
    }

    private static Frame chat(long id) {
        return Frame.of("{\"type\":\"chat\",\"id\":" + id + ",\"msg\":\"m" + id + "\"}");
    }

    @Test
    void aMessageIsDeliveredAloneAsWhenShared() {
        Audience alone = Audience.alone(new Named("r"), "e", 100, budget, 50, hub::schedule, new Sanctions());
        List<String> told = new ArrayList<>();
        Audience shared = Audience.shared(new Named("r"), 100, budget, 50, new Audience.SharedPresence() {
            @Override
            public void here(String name) {
                told.add("+" + name);
            }

            @Override
            public void gone(String name) {
                told.add("-" + name);
            }
        }, hub::schedule, Runnable::run, new Sanctions());
        shared.load("e", 0, List.of(), List.of(), List.of());
        FakeSession inAlone = joined(alone, "r", "ann");
        FakeSession inShared = joined(shared, "r", "ann");
        assertEquals(List.of("+ann"), told, "shared: the engine learns of the name here");

        for (Audience audience : List.of(alone, shared)) {
            audience.deliver(1, chat(1));
            audience.deliver(2, chat(2));
            audience.deliver(2, chat(2)); // again: delivered already
            audience.lost(4);
            audience.deliver(5, chat(5)); // after a gap the engine could not fill
            audience.deliver(3, chat(3)); // late: below the newest
        }
        List<String> expected = List.of(chat(1).json(), chat(2).json(), chat(5).json());
        assertEquals(expected, chats(inAlone));
        assertEquals(expected, chats(inShared));
        for (Audience audience : List.of(alone, shared)) {
            assertEquals(5, audience.lastId());
            assertNull(audience.held(3));
            assertEquals(chat(5).json(), audience.held(5).json());
        }
    }

    @Test
    void theMemoryEngineNumbersConcurrentMessagesInTheOrderItQueuesThem() {
        FakeSession watcher = new FakeSession("watcher", FakeSession.Sends.COMPLETE);
        Member watching = hub.open(watcher.session);
        watching.name("watcher");
        hub.enter(watching, "busy", "busy", null, null);
        int people = 4;
        int each = 250;
        List<Member> senders = new ArrayList<>();
        List<Room> rooms = new ArrayList<>();
        for (int t = 0; t < people; t++) {
            Member sender = hub.open(new FakeSession("s" + t, FakeSession.Sends.COMPLETE).session);
            sender.name("sender" + t);
            rooms.add(hub.enter(sender, "busy", "busy", null, null));
            senders.add(sender);
        }
        // on the common pool's threads and this one: publishes in one room at the same time
        IntStream.range(0, people * each).parallel().forEach(i -> rooms.get(i % people).publish(senders.get(i % people), "m"));
        List<Long> ids = new ArrayList<>();
        for (String chat : chats(watcher)) {
            Matcher m = ID.matcher(chat);
            assertTrue(m.find(), chat);
            ids.add(Long.parseLong(m.group(1) != null ? m.group(1) : m.group(2)));
        }
        List<Long> expected = new ArrayList<>();
        for (long id = 1; id <= (long) people * each; id++) {
            expected.add(id);
        }
        assertEquals(expected, ids, "every id once, in order");
    }
}

package dev.jchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.ChatHub;
import dev.jchat.Engines;
import dev.jchat.LogLines;
import dev.jchat.config.ChatConfig;
import dev.jchat.connection.Closer;
import dev.jchat.connection.Connections;
import dev.jchat.connection.FakeSession;
import dev.jchat.connection.Frame;
import dev.jchat.connection.Member;
import dev.jchat.engine.memory.LocalRooms;
import dev.jchat.message.ErrorCode;
import dev.jchat.message.MyRooms;
import dev.jchat.message.RoomList;
import dev.jchat.security.RefusedException;
import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;


/** The room code against sessions that misbehave in ways a real peer can only make likely, not certain. */
class RoomsTest {

    private final ChatHub hub = Engines.inMemory(ChatConfig.defaults().withOutbound(1, 1_024), Connections.NONE);

    @AfterEach
    void stop() {
        hub.shutdown(Duration.ZERO);
    }

    private Member member(FakeSession session, String name) {
        Member member = hub.open(session.session);
        member.name(name);
        return member;
    }

    @Test
    void aRoomRefusedToAnotherRoomOfTheConnectionIsToldAndTheConnectionStaysInItsRooms() throws Exception {
        ChatHub small = Engines.inMemory(ChatConfig.defaults().withMaxRooms(1), Connections.NONE);
        try {
            FakeSession session = new FakeSession("v3", FakeSession.Sends.COMPLETE);
            Member member = small.open(session.session);
            member.name("alice");
            member.v3(true);
            member.firstRoom("first");
            Room first = small.enter(member, "first", "first", null, null);
            assertTrue(first != null && member.subscribed("first"));
            assertEquals(null, small.enter(member, "second", "second", null, null), "no place for a second room");
            assertTrue(session.awaitSent(t -> t.contains("\"room-limit\"") && t.contains("\"room\":\"second\"")),
                    () -> "told, about that room: " + session.sent);
            assertFalse(member.subscribed("second"), "not in it, nor joining it");
            assertFalse(member.closing(), "still open");
            first.publish(member, "still here");
            assertTrue(session.awaitSent(t -> t.contains("still here")));
        } finally {
            small.shutdown(Duration.ZERO);
        }
    }

    @Test
    void aRefusalOfTheQuerysRoomClosesTheConnection() throws Exception {
        ChatHub small = Engines.inMemory(ChatConfig.defaults().withMaxRooms(1), Connections.NONE);
        try {
            small.enter(member(small, new FakeSession("first", FakeSession.Sends.COMPLETE), "bob"), "first", "first", null, null);
            FakeSession session = new FakeSession("refused", FakeSession.Sends.COMPLETE);
            Member member = member(small, session, "alice");
            member.firstRoom("second");
            assertEquals(null, small.enter(member, "second", "second", null, null));
            assertTrue(session.closed.await(5, TimeUnit.SECONDS), "closed");
            assertEquals(1013, session.closeReason.getCloseCode().getCode());
        } finally {
            small.shutdown(Duration.ZERO);
        }
    }

    /** From the second review: a close while the registry's join call runs left the member in the room for good. */
    @Test
    void aConnectionClosedWhileItsJoinCallRunsLeavesTheRoomItEntered() throws Exception {
        AtomicReference<Member> closeDuringJoin = new AtomicReference<>();
        ChatHub closing = new ChatHub(ChatConfig.defaults(), h -> {
            LocalRooms real = new LocalRooms(ChatConfig.defaults(), h);
            return new RoomRegistry() {
                @Override
                public Room join(String room, Member member, Long since, String epoch) throws RefusedException {
                    Room in = real.join(room, member, since, epoch);
                    if (member == closeDuringJoin.get()) {
                        h.closed(member); // its peer went between the welcome and the call's return
                    }
                    return in;
                }

                @Override
                public CompletionStage<List<RoomList.Entry>> directory(int max) {
                    return real.directory(max);
                }

                @Override
                public Names names() {
                    return real.names();
                }

                @Override
                public int size() {
                    return real.size();
                }

                @Override
                public Positions positions() {
                    return real.positions();
                }

                @Override
                public CompletionStage<List<MyRooms.Entry>> mine(String owner, String user) {
                    return real.mine(owner, user);
                }

                @Override
                public void tell(String user, Frame frame, Member except) {
                    real.tell(user, frame, except);
                }

                @Override
                public CompletionStage<Posted> post(dev.jchat.message.ChatMessage message) {
                    return real.post(message);
                }

                @Override
                public CompletionStage<Audience.Page> page(String room, Long before, int limit) {
                    return real.page(room, before, limit);
                }

                @Override
                public CompletionStage<List<String>> online(String room) {
                    return real.online(room);
                }

                @Override
                public CompletionStage<Long> delete(String room, long id) {
                    return real.delete(room, id);
                }

                @Override
                public CompletionStage<Long> moderate(String room, String action, String user, java.time.Instant until,
                                                      String reason) {
                    return real.moderate(room, action, user, until, reason);
                }

                @Override
                public CompletionStage<Integer> disconnect(String user, String reason) {
                    return real.disconnect(user, reason);
                }
            };
        }, Connections.NONE);
        try {
            FakeSession watching = new FakeSession("watcher", FakeSession.Sends.COMPLETE);
            closing.enter(member(closing, watching, "watcher"), "r", "r", null, null);
            Member ghost = member(closing, new FakeSession("ghost", FakeSession.Sends.COMPLETE), "ghost");
            closeDuringJoin.set(ghost);
            closing.enter(ghost, "r", "r", null, null);
            assertTrue(watching.awaitSent(t -> t.contains("\"leave\"") && t.contains("ghost")), () -> "ghost left: " + watching.sent);
            assertEquals(1, closing.rooms().directory(10).toCompletableFuture().join().get(0).online(), "only the watcher is online");
        } finally {
            closing.shutdown(Duration.ZERO);
        }
    }

    /** From the second review: the query's room left before its welcome, then refused again, closed the connection. */
    @Test
    void theQuerysRoomLeftBeforeItsWelcomeIsRefusedLikeAnyRoomAfter() throws Exception {
        FakeSession session = new FakeSession("v3", FakeSession.Sends.COMPLETE);
        Member member = member(session, "alice");
        member.v3(true);
        member.firstRoom("a");
        assertTrue(member.reserve("a", "a"));
        member.forget("a"); // unsubscribed while its join was on its way
        member.welcomeAlone(); // what the endpoint does then: the connection is in no room
        assertTrue(member.reserve("a", "a")); // subscribed again
        member.refuseJoin("a", ErrorCode.ROOM_LIMIT, "no place");
        assertTrue(session.awaitSent(t -> t.contains("\"room-limit\"") && t.contains("\"room\":\"a\"")), () -> "told: " + session.sent);
        assertFalse(member.closing(), "a refused subscribe leaves the connection open");
    }

    private static Member member(ChatHub hub, FakeSession session, String name) {
        Member member = hub.open(session.session);
        member.name(name);
        return member;
    }

    @Test
    void aConnectionClosedWhileJoiningIsNeverInTheRoom() throws Exception {
        FakeSession ghostSession = new FakeSession("ghost", FakeSession.Sends.COMPLETE);
        Member ghost = member(ghostSession, "ghost");
        hub.closed(ghost); // @OnClose ran on another thread before @OnOpen got to the join
        hub.enter(ghost, "r", "r", null, null);

        FakeSession aliceSession = new FakeSession("alice", FakeSession.Sends.COMPLETE);
        hub.enter(member(aliceSession, "alice"), "r", "r", null, null);
        String welcome = aliceSession.sent.get(0);
        assertTrue(welcome.contains("\"users\":[\"alice\"]"), () -> "no ghost in " + welcome);
        assertEquals(List.of(), ghostSession.sent, "nothing is queued for a closed connection");
    }

    @Test
    void aSessionTheContainerClosedLeavesItsRoomThoughTheEndpointWasNeverTold() throws Exception {
        FakeSession goneSession = new FakeSession("gone", FakeSession.Sends.COMPLETE);
        FakeSession stays = new FakeSession("stays", FakeSession.Sends.COMPLETE);
        hub.enter(member(goneSession, "gone"), "r", "r", null, null);
        hub.enter(member(stays, "stays"), "r", "r", null, null);
        // Its peer dropped the connection: the container marks the session closed, but its close
        // never reaches the endpoint (the rare case seen on Payara), so hub.closed is not called.
        goneSession.closeReason = new CloseReason(CloseReason.CloseCodes.CLOSED_ABNORMALLY, "dropped");
        assertTrue(stays.awaitSent(t -> t.contains("\"leave\"") && t.contains("\"user\":\"gone\"")),
                () -> "no leave within 10 s: " + stays.sent);
        assertEquals(1, hub.connections(), "the hub forgot it too");
    }

    @Test
    void aBigRoomAnnouncesACrowdInOneFrame() throws Exception {
        List<FakeSession> crowd = new ArrayList<>();
        for (int i = 0; i < Audience.COALESCE_AT; i++) {
            FakeSession session = new FakeSession("early" + i, FakeSession.Sends.COMPLETE);
            crowd.add(session);
            hub.enter(member(session, String.format("early%03d", i)), "big", "big", null, null);
        }
        Thread.sleep(3 * Audience.COALESCE_MILLIS); // the early ones' window has closed
        FakeSession watcher = crowd.get(0);
        int before = watcher.sent.size();
        // The 50 joins must fall in one 100 ms window however slow the machine: the hub's timer,
        // which runs the coalesced announcement, is held until they are all in.
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        hub.schedule(() -> {
            held.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, Duration.ZERO);
        assertTrue(held.await(10, TimeUnit.SECONDS), "the timer is held");
        for (int i = 0; i < 50; i++) {
            hub.enter(member(new FakeSession("late" + i, FakeSession.Sends.COMPLETE), String.format("late%03d", i)),
                    "big", "big", null, null);
        }
        release.countDown();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (watcher.sent.stream().skip(before).noneMatch(t -> t.contains("late049")) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        List<String> joins = watcher.sent.stream().skip(before).toList();
        assertEquals(2, joins.size(), () -> "the first at once, the other 49 together: " + joins);
        assertTrue(joins.get(0).contains("\"user\":\"late000\"") && !joins.get(0).contains("\"users\""), joins.get(0));
        assertTrue(joins.get(1).contains("\"user\":\"late001\"") && joins.get(1).contains("\"late049\"]"), joins.get(1));
        assertTrue(joins.get(1).contains("\"online\":150"), joins.get(1));
    }

    @Test
    void aMessageOnItsWayFromAConnectionTheServerGaveUpOnIsNotPublished() throws Exception {
        FakeSession goneSession = new FakeSession("gone", FakeSession.Sends.COMPLETE);
        FakeSession stays = new FakeSession("stays", FakeSession.Sends.COMPLETE);
        Member gone = member(goneSession, "gone");
        Room room = hub.enter(gone, "r", "r", null, null);
        hub.enter(member(stays, "stays"), "r", "r", null, null);
        hub.closed(gone); // the closer's thread, between the endpoint's check and its publish
        room.publish(gone, "too late");
        assertTrue(stays.sent.stream().noneMatch(t -> t.contains("too late")), () -> "published: " + stays.sent);
    }

    @Test
    void aSendThatThrowsClosesThatConnectionAloneWith1011() throws Exception {
        FakeSession before = new FakeSession("before", FakeSession.Sends.COMPLETE);
        FakeSession broken = new FakeSession("broken", FakeSession.Sends.COMPLETE);
        FakeSession after = new FakeSession("after", FakeSession.Sends.COMPLETE);
        Member sender = member(before, "before");
        Room room = hub.enter(sender, "r", "r", null, null);
        hub.enter(member(broken, "broken"), "r", "r", null, null);
        hub.enter(member(after, "after"), "r", "r", null, null);
        broken.sends = FakeSession.Sends.THROW_ERROR;

        room.publish(sender, "one");
        room.publish(sender, "two");
        assertTrue(broken.awaitClose());
        assertEquals(1011, broken.closeReason.getCloseCode().getCode());
        for (FakeSession healthy : List.of(before, after)) {
            List<String> chats = healthy.sent.stream().filter(t -> t.contains("\"type\":\"chat\"")).toList();
            assertEquals(2, chats.size(), () -> healthy.id + " got " + healthy.sent);
        }
        // the room forgets it once the close is done, just after the session saw it
        assertTrue(before.awaitSent(t -> t.contains("\"type\":\"leave\"") && t.contains("broken")),
                "the broken one left the room");
    }

    @Test
    void aReaderThatStoppedIsClosedOnceItsOldestFramePassesTheSendTimeoutThoughNothingNewComes() throws Exception {
        FakeSession speaker = new FakeSession("speaker", FakeSession.Sends.COMPLETE);
        FakeSession stalled = new FakeSession("stalled", FakeSession.Sends.COMPLETE);
        Member sender = member(speaker, "speaker");
        Room room = hub.enter(sender, "r", "r", null, null);
        hub.enter(member(stalled, "stalled"), "r", "r", null, null);
        stalled.sends = FakeSession.Sends.STALL;
        room.publish(sender, "the last thing it will ever get");
        long start = System.nanoTime();
        assertTrue(stalled.awaitClose(), "closed by the hub's periodic check");
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1013, stalled.closeReason.getCloseCode().getCode());
        assertTrue(waited >= 900 && waited < 3_000, () -> "closed after " + waited + " ms, the send timeout being 1 s");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (hub.connections() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, hub.connections(), "and forgotten");
    }

    @Test
    void manySlowClosesAtOnceUseAFewThreadsAndAFewLogLines() throws Exception {
        try (LogLines log = new LogLines(ChatHub.class.getName())) {
            FakeSession speaker = new FakeSession("speaker", FakeSession.Sends.COMPLETE);
            Member sender = member(speaker, "speaker");
            Room room = hub.enter(sender, "r", "r", null, null);
            List<FakeSession> slow = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                FakeSession session = new FakeSession("slow" + i, FakeSession.Sends.STALL);
                session.closeTakesMillis = 100;
                slow.add(session);
                hub.enter(member(session, "slow" + i), "r", "r", null, null);
            }
            String text = "w".repeat(600);
            for (int i = 0; i < 3; i++) {
                room.publish(sender, text); // the welcome never completes: these back up past 1 KB
            }
            for (FakeSession session : slow) {
                assertTrue(session.awaitClose(), session.id + " is closed");
                assertEquals(1013, session.closeReason.getCloseCode().getCode());
            }
            assertTrue(hub.closer().largestPool() <= Closer.THREADS,
                    () -> hub.closer().largestPool() + " closing threads at once");
            long closeLines = log.records().stream().filter(r -> r.getMessage().contains("1013")).count();
            assertEquals(1, closeLines, () -> "one line, the rest summarised later: " + log.records().size());
        }
    }

    @Test
    void aNoticeGoesOnlyToConnectionsOfThatNameWelcomedInAnotherRoom() throws Exception {
        FakeSession elsewhere = new FakeSession("elsewhere", FakeSession.Sends.COMPLETE);
        FakeSession joining = new FakeSession("joining", FakeSession.Sends.COMPLETE);
        FakeSession inIt = new FakeSession("in-it", FakeSession.Sends.COMPLETE);
        FakeSession someoneElse = new FakeSession("someone-else", FakeSession.Sends.COMPLETE);
        FakeSession selfNamed = new FakeSession("self-named", FakeSession.Sends.COMPLETE);
        Member bobElsewhere = member(elsewhere, "bob");
        bobElsewhere.proven(null);
        hub.enter(bobElsewhere, "lobby", "lobby", null, null);
        // named by its first message, holding nothing (bob's hold ran out, say): no one's messages for it
        hub.enter(member(selfNamed, "bob"), "lobby", "lobby", null, null);
        Member bobInIt = member(inIt, "bob");
        bobInIt.proven(null); // as a token's subject: no key to check
        hub.enter(bobInIt, "@amy+bob", "@amy+bob", null, null);
        Room other = hub.enter(member(someoneElse, "cid"), "other", "other", null, null);
        // a connection between entering a room and its welcome: nothing from outside may come first
        Member bobJoining = member(joining, "bob");
        bobJoining.proven(null);
        assertTrue(bobJoining.reserve("other", "other"));
        assertTrue(bobJoining.enter(other));

        hub.notice("bob", "@amy+bob", Frame.of("{\"type\":\"notice\"}"));
        assertTrue(elsewhere.awaitSent(t -> t.contains("notice")));
        for (FakeSession none : List.of(joining, inIt, someoneElse, selfNamed)) {
            assertTrue(none.sent.stream().noneMatch(t -> t.contains("notice")), () -> none.id + " got " + none.sent);
        }
    }
}

package dev.jchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jchat.connection.Frame;
import dev.jchat.message.ChatMessage;
import dev.jchat.message.FrameEncoder;
import dev.jchat.message.LogEntry;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a room's history counts unread for "my rooms" ({@link History#unread}). */
class UnreadTest {

    private static Frame chat(long id, String user, String text) {
        return Frame.of(FrameEncoder.toJson(new ChatMessage(id, user, Instant.EPOCH, text, "r")));
    }

    private static Positions.Unread unread(History history, long read, String user) {
        return History.unread(history.chatsAfter(read), user, Positions.MAX_UNREAD);
    }

    @Test
    void countsOthersMessagesAfterTheReadPositionAndTheirMentionsOfTheName() {
        History history = new History(50);
        history.add(1, chat(1, "bob", "hi @alice, before"));
        history.add(2, chat(2, "bob", "hello @ALICE!"));
        history.add(3, chat(3, "alice", "my own @alice"));
        history.add(4, chat(4, "bob", "about @alicette")); // holds @alice all the same: text, not a word
        history.add(5, chat(5, "bob", "plain"));
        history.add(6, chat(6, "bob", "@alice taken back"));
        history.add(7, Frame.of(FrameEncoder.toJson(new LogEntry.Delete("r", 7, 6, "bob", Instant.EPOCH))));
        assertEquals(new Positions.Unread(3, 2), unread(history, 1, "alice"));
        assertEquals(new Positions.Unread(0, 0), unread(history, 7, "alice"));
        assertEquals(new Positions.Unread(4, 3), unread(history, 0, "alice"));
        assertEquals(new Positions.Unread(1, 0), unread(history, 1, "bob"), "alice's one, which mentions no bob");
    }

    @Test
    void countsAtMostAHundredFromTheNewest() {
        History history = new History(300);
        for (long id = 1; id <= 250; id++) {
            history.add(id, chat(id, "bob", id > 240 ? "@alice " + id : "m" + id));
        }
        assertEquals(new Positions.Unread(Positions.MAX_UNREAD, 10), unread(history, 0, "alice"));
        assertEquals(new Positions.Unread(50, 10), unread(history, 200, "alice"));
    }
}

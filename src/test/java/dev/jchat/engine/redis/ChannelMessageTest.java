package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The channels' format: what this server writes reads back as written, and what the Lua scripts
 * publish (run on a real redis-server) reads as the message each script means.
 */
class ChannelMessageTest {

    @Test
    void aChatMessageKeepsItsFrameWholeSpacesIncluded() {
        String frame = "{\"type\":\"chat\",\"id\":7,\"text\":\"a b  c\"}";
        assertEquals(new ChannelMessage.Chat("e1", 7, frame), ChannelMessage.parse("m e1 7 " + frame));
    }

    @Test
    void aConversationStartedOverIsAChatMessageWithIdZeroAndNoFrame() {
        assertEquals(new ChannelMessage.Chat("e2", 0, ""), ChannelMessage.parse("m e2 0 "));
    }

    @Test
    void presenceLinesAreSplitIntoNamesThatCameAndNamesThatLeft() {
        assertEquals(new ChannelMessage.Presence(12, List.of("ann", "cy"), List.of("bob")),
                ChannelMessage.parse("p 12\n+ann\n-bob\n+cy"));
    }

    @Test
    void everyKindReadsBackAsWritten() {
        List<ChannelMessage> messages = List.of(
                new ChannelMessage.Chat("e1", 42, "{\"id\":42}"),
                new ChannelMessage.Chat("e1", 0, ""),
                new ChannelMessage.Epoch("e3"),
                new ChannelMessage.Presence(5, List.of("ann"), List.of("bob", "dan")),
                new ChannelMessage.Presence(6, List.of(), List.of()),
                new ChannelMessage.Typing("ann"));
        for (ChannelMessage message : messages) {
            assertEquals(message, ChannelMessage.parse(message.text()), message.text());
        }
    }

    @Test
    void aKindThisServerDoesNotKnowIsNoMessageAndAMalformedOneThrows() {
        assertNull(ChannelMessage.parse("x something newer"));
        assertThrows(RuntimeException.class, () -> ChannelMessage.parse("m e1 notanid {}"));
    }

    @Test
    void aNoticeKeepsItsFrameWholeAndAnythingElseIsNone() {
        ChannelMessage.Notice notice = new ChannelMessage.Notice("bob", "@ann+bob", "{\"text\":\"one\\ntwo\"}\nthree");
        assertEquals("bob\n@ann+bob\n{\"text\":\"one\\ntwo\"}\nthree", notice.text());
        assertEquals(notice, ChannelMessage.Notice.parse(notice.text()));
        assertNull(ChannelMessage.Notice.parse("bob\nlobby"));
    }

    @Test
    void aTellNamesItsServerAndIsNoNoticeToAnyName() {
        ChannelMessage.Tell tell = new ChannelMessage.Tell("s1", "bob", "{\"type\":\"read\",\"id\":3}");
        assertEquals("!s1\nbob\n{\"type\":\"read\",\"id\":3}", tell.text());
        assertEquals(tell, ChannelMessage.Tell.parse(tell.text()));
        assertNull(ChannelMessage.Tell.parse(new ChannelMessage.Notice("bob", "@ann+bob", "{}").text()));
        // a server that does not know tells reads one as a notice to "!s1", which no name can be
        assertEquals("!s1", ChannelMessage.Notice.parse(tell.text()).user());
    }

    @Test
    void anOnlineStateReadsBackAndIsNoNoticeToAnyName() {
        ChannelMessage.Online online = new ChannelMessage.Online("bob", 1765100000000123L, true);
        assertEquals("~bob\n1765100000000123\n1", online.text());
        assertEquals(online, ChannelMessage.Online.parse(online.text()));
        assertEquals(new ChannelMessage.Online("ann", 7, false), ChannelMessage.Online.parse("~ann\n7\n0"));
        assertNull(ChannelMessage.Online.parse(new ChannelMessage.Notice("bob", "@ann+bob", "{}").text()));
        // a server that does not know it reads one as a notice to "~bob", which no name can be
        assertEquals("~bob", ChannelMessage.Notice.parse(online.text()).user());
    }

    /** Each script that publishes on a room's channel, run as the engine runs it, and what the reader makes of it. */
    @Test
    void whatTheScriptsPublishReadsAsTheMessageTheyMean() throws Exception {
        RedisKeys keys = new RedisKeys("fmt");
        String room = "lobby";
        String[] roomKeys = {keys.meta(room), keys.log(room), keys.texts(room), keys.edits(room)};
        try (RedisServer redis = RedisServer.start()) {
            RedisClient client = RedisClient.create(redis.url());
            try (StatefulRedisConnection<String, String> commands = client.connect();
                 StatefulRedisPubSubConnection<String, String> pubsub = client.connectPubSub()) {
                BlockingQueue<String> heard = new LinkedBlockingQueue<>();
                pubsub.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void smessage(String channel, String message) {
                        heard.add(message);
                    }
                });
                pubsub.sync().ssubscribe(keys.channel(room));
                RedisAsyncCommands<String, String> redisCommands = commands.async();
                for (Script script : Script.ALL) {
                    await(script.load(redisCommands));
                }

                String[] publishKeys = {keys.meta(room), keys.log(room), keys.texts(room), keys.edits(room),
                        keys.sanctions(room)};
                List<Object> reply = await(Script.PUBLISH.run(redisCommands, publishKeys, "{\"id\":", ",\"text\":\"a b\"}",
                        "10", "60", "epoch-1", keys.channel(room), "99999999999999", "", "0", "chat", "40", "", "", "",
                        "", ""));
                assertEquals(new ChannelMessage.Chat("epoch-1", 1, "{\"id\":1,\"text\":\"a b\"}"), next(heard));
                assertEquals(List.of("1", "epoch-1"), reply);

                String[] presenceKeys = {keys.presence(room), keys.names(room), keys.presenceVersion(room), keys.meta(room)};
                await(Script.PRESENCE.run(redisCommands, presenceKeys,
                        "server-a", "1000", keys.channel(room), "60", "60", "", "+ann", "+bob"));
                ChannelMessage.Presence came = (ChannelMessage.Presence) next(heard);
                assertEquals(List.of("ann", "bob"), came.came());
                // a room's first version is Redis' clock in microseconds: above any its expired keys gave out
                long micros = java.time.Instant.now().toEpochMilli() * 1000;
                assertTrue(Math.abs(came.version() - micros) < 60_000_000L, () -> "version " + came.version());
                await(Script.PRESENCE.run(redisCommands, presenceKeys,
                        "server-a", "1000", keys.channel(room), "60", "60", "", "-bob"));
                assertEquals(new ChannelMessage.Presence(came.version() + 1, List.of(), List.of("bob")), next(heard));

                // a server that saw id 5 of epoch-1, where Redis holds 1: the room goes on in a new epoch
                await(Script.LOAD.run(redisCommands, new String[] {keys.meta(room), keys.log(room), keys.names(room),
                        keys.presenceVersion(room), keys.texts(room), keys.edits(room), keys.sanctions(room)}, "epoch-2", "10", "60", "epoch-1", "5", "0", keys.channel(room)));
                assertEquals(new ChannelMessage.Epoch("epoch-2"), next(heard));

                String[] owners = roomKeys;
                await(Script.OWNERS.run(redisCommands, owners, "a|b", "epoch-3", keys.channel(room), "60"));
                await(Script.OWNERS.run(redisCommands, owners, "a|c", "epoch-4", keys.channel(room), "60"));
                assertEquals(new ChannelMessage.Chat("epoch-4", 0, ""), next(heard), "started over for other claims");
            } finally {
                client.shutdown();
            }
        }
    }

    private static ChannelMessage next(BlockingQueue<String> heard) throws InterruptedException {
        String text = heard.poll(5, TimeUnit.SECONDS);
        assertNotNull(text, "nothing published within 5 s");
        ChannelMessage message = ChannelMessage.parse(text);
        assertInstanceOf(ChannelMessage.class, message, text);
        return message;
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}

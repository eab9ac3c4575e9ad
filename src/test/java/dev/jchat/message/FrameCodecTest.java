package dev.jchat.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    private static JsonObject parse(String json) {
        return Json.createReader(new StringReader(json)).readObject();
    }

    private static ErrorCode refusal(String frame) {
        return assertThrows(InvalidFrameException.class, () -> FrameDecoder.fromJson(frame)).code();
    }

    @Test
    void aChatMessageIsEncodedWithItsTypeAndAnIsoInstant() {
        String json = FrameEncoder.toJson(new ChatMessage(7, "alice", Instant.parse("2026-11-22T10:15:30.123Z"),
                "hi", "lobby"));
        JsonObject o = parse(json);
        assertEquals("chat", o.getString("type"));
        assertEquals(7, o.getInt("id"));
        assertEquals("alice", o.getString("user"));
        assertEquals("2026-11-22T10:15:30.123Z", o.getString("dateTime"));
        assertEquals("hi", o.getString("msg"));
        assertEquals("lobby", o.getString("room"));
    }

    @Test
    void aChatMessageSplitAroundItsIdJoinsBackToItsEncoding() {
        Instant t = Instant.parse("2026-11-22T10:15:30.123Z");
        // a text that imitates the key, the mark and a whole frame is never taken for the id
        String msg = "{\"id\":7321097531246801,\"x\":1} ,\"id\":7321097531246801";
        String[] around = FrameEncoder.chatAroundId(new ChatMessage(0, "alice", t, msg, "lobby"));
        assertEquals(FrameEncoder.toJson(new ChatMessage(42, "alice", t, msg, "lobby")), around[0] + 42 + around[1]);
        assertEquals(msg, parse(around[0] + 9_007_199_254_740_991L + around[1]).getString("msg"));
    }

    @Test
    void version2RequestsAreDecodedWithTheirDefaults() throws Exception {
        assertEquals(new ClientFrame.Typing(null), FrameDecoder.fromJson("{\"type\":\"typing\"}"));
        assertEquals(new ClientFrame.Rooms(), FrameDecoder.fromJson("{\"type\":\"rooms\",\"x\":1}"));
        assertEquals(new ClientFrame.History(null, 50, null), FrameDecoder.fromJson("{\"type\":\"history\"}"));
        assertEquals(new ClientFrame.History(42L, 100, null),
                FrameDecoder.fromJson("{\"type\":\"history\",\"before\":42,\"limit\":100}"));
        assertEquals(new ClientFrame.History(7L, 3, null), FrameDecoder.fromJson("{\"type\":\"history\",\"before\":7.0,\"limit\":3}"));
    }

    @Test
    void aHistoryAnswerCarriesTheFramesAsBroadcast() {
        String one = FrameEncoder.toJson(new ChatMessage(1, "alice", Instant.parse("2026-11-22T10:15:30Z"), "a \"quote\"", "r"));
        JsonObject page = parse(FrameEncoder.history("r\"oom", List.of(one, one), true));
        assertEquals("history", page.getString("type"));
        assertEquals("r\"oom", page.getString("room"));
        assertEquals(parse(one), page.getJsonArray("messages").getJsonObject(1));
        assertTrue(page.getBoolean("more"));
        assertEquals(0, parse(FrameEncoder.history("r", List.of(), false)).getJsonArray("messages").size());
    }

    @Test
    void everyServerFrameCarriesItsType() {
        Instant t = Instant.parse("2026-11-22T10:15:30Z");
        assertEquals("welcome", parse(FrameEncoder.toJson(
                new Welcome("a", "lobby", List.of("a"), 0L, "e1", true, null, null))).getString("type"));
        assertEquals("join", parse(FrameEncoder.toJson(new Join("a", null, t, 1, "lobby"))).getString("type"));
        assertEquals("leave", parse(FrameEncoder.toJson(new Leave("a", null, t, 0, "lobby"))).getString("type"));
        assertEquals("pong", parse(FrameEncoder.toJson(new Pong(t))).getString("type"));
        JsonObject error = parse(FrameEncoder.toJson(ErrorFrame.of(ErrorCode.EMPTY_MESSAGE, "empty")));
        assertEquals("error", error.getString("type"));
        assertEquals("empty-message", error.getString("code"));
    }

    @Test
    void aWelcomeHasEveryField() {
        JsonObject o = parse(FrameEncoder.toJson(new Welcome("bob", "dev", List.of("alice", "bob"), 42L, "e1", false, null, null)));
        assertEquals("bob", o.getString("user"));
        assertEquals("dev", o.getString("room"));
        assertEquals(List.of("alice", "bob"), o.getJsonArray("users").getValuesAs(jakarta.json.JsonString::getString));
        assertEquals(42, o.getInt("lastId"));
        assertEquals("e1", o.getString("epoch"));
        assertEquals(false, o.getBoolean("recovered"));
    }

    @Test
    void emojiAndCjkSurviveBothWays() throws Exception {
        String text = "こんにちは 世界 😀👍🏽 한국어";
        ClientFrame frame = FrameDecoder.fromJson("{\"msg\":\"" + text + "\"}");
        assertEquals(text, ((ClientFrame.Chat) frame).msg());
        String json = FrameEncoder.toJson(new ChatMessage(1, "名前", Instant.EPOCH, text, "lobby"));
        assertEquals(text, parse(json).getString("msg"));
        assertEquals("名前", parse(json).getString("user"));
    }

    @Test
    void textThatLooksLikeJsonOrMarkupStaysText() throws Exception {
        String text = "\"},{\"type\":\"welcome\" <script>alert(1)</script>\\";
        JsonObject o = parse(FrameEncoder.toJson(new ChatMessage(1, "a", Instant.EPOCH, text, "lobby")));
        assertEquals(text, o.getString("msg"));
    }

    @Test
    void theTutorialFormatDecodesAsChat() throws Exception {
        ClientFrame frame = FrameDecoder.fromJson(
                "{\"id\":1679990000000,\"user\":\"alice\",\"dateTime\":1679990000000,\"msg\":\"hi\"}");
        assertEquals(new ClientFrame.Chat("hi", "alice", null), frame);
    }

    @Test
    void extraFieldsOfAnyTypeAreIgnored() throws Exception {
        ClientFrame frame = FrameDecoder.fromJson(
                "{\"msg\":\"hi\",\"id\":\"abc\",\"dateTime\":[1,{\"a\":null}],\"color\":{\"r\":1},\"user\":null}");
        assertEquals(new ClientFrame.Chat("hi", null, null), frame);
    }

    @Test
    void pingNeedsNothingElse() throws Exception {
        assertInstanceOf(ClientFrame.Ping.class, FrameDecoder.fromJson("{\"type\":\"ping\"}"));
        assertInstanceOf(ClientFrame.Ping.class, FrameDecoder.fromJson("{\"type\":\"ping\",\"msg\":7}"));
    }

    @Test
    void aMissingUserIsNull() throws Exception {
        assertNull(((ClientFrame.Chat) FrameDecoder.fromJson("{\"type\":\"chat\",\"msg\":\"x\"}")).user());
    }

    @Test
    void whatIsNotAJsonObjectIsInvalidJson() {
        assertEquals(ErrorCode.INVALID_JSON, refusal("hello"));
        assertEquals(ErrorCode.INVALID_JSON, refusal(""));
        assertEquals(ErrorCode.INVALID_JSON, refusal("null"));
        assertEquals(ErrorCode.INVALID_JSON, refusal("42"));
        assertEquals(ErrorCode.INVALID_JSON, refusal("\"msg\""));
        assertEquals(ErrorCode.INVALID_JSON, refusal("[{\"msg\":\"hi\"}]"));
        assertEquals(ErrorCode.INVALID_JSON, refusal("{\"msg\":\"hi\""));
        assertEquals(ErrorCode.INVALID_JSON, refusal("{\"msg\":\"hi\"} trailing"));
    }

    @Test
    void deeplyNestedInputIsRefusedWithoutBlowingTheStack() {
        String deep = "{\"msg\":\"x\",\"id\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertEquals(ErrorCode.INVALID_JSON, refusal(deep));
        String deepObjects = "{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000);
        assertEquals(ErrorCode.INVALID_JSON, refusal(deepObjects));
    }

    @Test
    void wronglyTypedFieldsAreInvalidMessage() {
        assertEquals(ErrorCode.INVALID_MESSAGE, refusal("{\"msg\":42}"));
        assertEquals(ErrorCode.INVALID_MESSAGE, refusal("{\"msg\":true}"));
        assertEquals(ErrorCode.INVALID_MESSAGE, refusal("{\"msg\":[\"hi\"]}"));
        assertEquals(ErrorCode.INVALID_MESSAGE, refusal("{\"msg\":\"hi\",\"user\":7}"));
        assertEquals(ErrorCode.INVALID_MESSAGE, refusal("{\"type\":1,\"msg\":\"hi\"}"));
        assertEquals(ErrorCode.INVALID_MESSAGE, refusal("{\"type\":\"shout\",\"msg\":\"hi\"}"));
        assertEquals(ErrorCode.INVALID_MESSAGE, refusal("{}"));
    }

    /** A message as it is now, read back (the Redis engine stores it so): its reactions keep the order they were first set in. */
    @Test
    void aMessageReadBackKeepsTheOrderOfItsReactions() {
        java.util.Map<String, List<String>> reactions = new java.util.LinkedHashMap<>();
        for (String emoji : List.of("👍", "🎉", "😀", "🙂", "👀", "🔥", "💯", "❤️")) {
            reactions.put(emoji, List.of("bob", "ann"));
        }
        ChatMessage now = new ChatMessage(3, "ann", Instant.parse("2026-11-22T10:15:30.123Z"), "hi", "lobby",
                Instant.parse("2026-11-22T10:16:00Z"), null, reactions);
        ChatMessage read = (ChatMessage) FrameEncoder.logFrame(FrameEncoder.toJson(now));
        assertEquals(List.copyOf(reactions.keySet()), List.copyOf(read.reactions().keySet()));
        assertEquals(now, read);
    }
}

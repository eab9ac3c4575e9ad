package dev.jchat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The publish hook's three settings: off by default, checked when read, its URL's secrets never in the report. */
class PublishHookSettingsTest {

    private static ChatConfig read(Map<String, String> env) {
        return ChatConfig.from(env, name -> null);
    }

    @Test
    void theHookIsOffUntilAUrlIsSet() {
        ChatConfig config = read(Map.of());
        assertNull(config.publishHookUrl());
        assertEquals(500, config.publishHookTimeoutMs());
        assertEquals(ChatConfig.HookFailure.ALLOW, config.publishHookFailure());
        ChatConfig on = read(Map.of("CHAT_PUBLISH_HOOK_URL", "https://app.internal/chat-hook",
                "CHAT_PUBLISH_HOOK_TIMEOUT_MS", "250", "CHAT_PUBLISH_HOOK_FAILURE", "reject"));
        assertEquals("https://app.internal/chat-hook", on.publishHookUrl());
        assertEquals(250, on.publishHookTimeoutMs());
        assertEquals(ChatConfig.HookFailure.REJECT, on.publishHookFailure());
    }

    @Test
    void whatIsNoHookIsRefusedNamingTheSetting() {
        for (Map<String, String> bad : List.of(Map.of("CHAT_PUBLISH_HOOK_URL", "ftp://app.internal/hook"),
                Map.of("CHAT_PUBLISH_HOOK_URL", "app.internal/hook"), Map.of("CHAT_PUBLISH_HOOK_TIMEOUT_MS", "0"),
                Map.of("CHAT_PUBLISH_HOOK_FAILURE", "maybe"))) {
            ConfigException refused = assertThrows(ConfigException.class, () -> read(bad), bad::toString);
            assertTrue(refused.getMessage().contains(bad.keySet().iterator().next()), refused::getMessage);
        }
    }

    @Test
    void theReportShowsWhereTheHookIsButNotItsPasswordOrQuery() {
        ChatConfig config = read(Map.of("CHAT_PUBLISH_HOOK_URL", "https://chat:pa55word@app.internal:8443/hook?token=t0ken"));
        assertTrue(config.describe().contains("CHAT_PUBLISH_HOOK_URL=https://***@app.internal:8443/hook?***"), config::describe);
        assertFalse(config.describe().contains("pa55word") || config.describe().contains("t0ken"), config::describe);
    }
}

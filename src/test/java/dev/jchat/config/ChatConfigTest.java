package dev.jchat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatConfigTest {

    private static ChatConfig read(Map<String, String> env, Map<String, String> properties) {
        return ChatConfig.from(env, properties::get);
    }

    @Test
    void nothingSetGivesTheDocumentedDefaults() {
        ChatConfig config = read(Map.of(), Map.of());
        assertEquals(ChatConfig.defaults(), config);
        assertEquals("0.0.0.0", config.host());
        assertEquals(8080, config.port());
        assertEquals(1000, config.historySize());
        assertEquals(50, config.historyReplay());
        assertEquals(2000, config.maxMessageChars());
        assertEquals(65536, config.maxFrameBytes());
        assertEquals(60, config.idleTimeoutSeconds());
        assertEquals(10, config.sendTimeoutSeconds());
        assertEquals(1_048_576, config.outboxBytes());
        assertEquals(10_000, config.maxRooms());
    }

    @Test
    void environmentVariablesAreRead() {
        ChatConfig config = read(Map.of("CHAT_PORT", "9000", "CHAT_HISTORY_SIZE", "10", "CHAT_HISTORY_REPLAY", " 3 "),
                Map.of());
        assertEquals(9000, config.port());
        assertEquals(10, config.historySize());
        assertEquals(3, config.historyReplay());
    }

    @Test
    void aSystemPropertyOverridesTheEnvironment() {
        ChatConfig config = read(Map.of("CHAT_OUTBOX_BYTES", "10000", "CHAT_MAX_ROOMS", "5"),
                Map.of("chat.outbox.bytes", "20000", "chat.send.timeout.seconds", "3"));
        assertEquals(20_000, config.outboxBytes());
        assertEquals(3, config.sendTimeoutSeconds());
        assertEquals(5, config.maxRooms());
    }

    @Test
    void redisIsOffUnlessAUrlIsGivenAndItsPasswordIsNeverShown() {
        assertFalse(read(Map.of(), Map.of()).engine().redis());
        ChatConfig config = read(Map.of("CHAT_REDIS_URL", "redis://chat:s3cret-pw@redis.internal:6380/2",
                "CHAT_REDIS_PREFIX", "team-a", "CHAT_HISTORY_DAYS", "7", "CHAT_PRESENCE_TTL_SECONDS", "15"), Map.of());
        assertTrue(config.engine().redis());
        assertEquals("team-a", config.engine().redisPrefix());
        assertEquals(7, config.engine().historyDays());
        assertEquals(15, config.engine().presenceTtlSeconds());
        assertTrue(config.describe().contains("CHAT_REDIS_URL=redis://***@redis.internal:6380/2"), config.describe());
        assertFalse(config.describe().contains("s3cret") || config.toString().contains("s3cret"));
        assertTrue(read(Map.of("CHAT_REDIS_URL", "rediss://redis.example:6379"), Map.of()).engine().redis());
        ChatConfig sentinel = read(Map.of("CHAT_REDIS_URL", "redis-sentinel://:s3cret-pw@s1:26379,s2:26380,10.0.0.3/1#chat"),
                Map.of());
        assertTrue(sentinel.describe().contains("CHAT_REDIS_URL=redis-sentinel://***@s1:26379,s2:26380,10.0.0.3/1#chat"),
                sentinel.describe());
        assertFalse(sentinel.describe().contains("s3cret"));
        ChatConfig cluster = read(Map.of("CHAT_REDIS_URL", "redis-cluster://:s3cret-pw@n1:7000,n2:7001,10.0.0.3"), Map.of());
        assertTrue(cluster.engine().redisCluster());
        assertFalse(sentinel.engine().redisCluster());
        assertTrue(cluster.describe().contains("CHAT_REDIS_URL=redis-cluster://***@n1:7000,n2:7001,10.0.0.3"),
                cluster.describe());
        assertFalse(cluster.describe().contains("s3cret"));
        assertEquals(1, read(Map.of("CHAT_REDIS_URL", "redis-cluster://n1:7000", "CHAT_REDIS_WAIT_REPLICAS", "1"), Map.of())
                .engine().redisWaitReplicas(), "each room's master waits for its own replicas");
        assertEquals("http://app.example/chat-events", read(Map.of("CHAT_REDIS_URL", "redis-cluster://n1:7000",
                "CHAT_WEBHOOK_URL", "http://app.example/chat-events"), Map.of()).webhookUrl(), "webhooks with a cluster too");
    }

    @Test
    void aBadRedisSettingIsRefusedWithoutEchoingTheUrl() {
        for (String url : List.of("http://pw@redis:6379", "redis://:pw@/0", "redis://h:1/x", "redis://h:1?pw=1", "::",
                "redis-sentinel://:pw@s1:26379", "redis-sentinel://:pw@s1:26379,#m", "redis-sentinel://:pw@s1/x#m",
                "redis-sentinel://:pw@s1?a=1#m", "redis-sentinel://:pw@#m", "redis-cluster://:pw@", "redis-cluster://:pw@n1,",
                "redis-cluster://:pw@n1:7000/1", "redis-cluster://:pw@n1#m", "redis-cluster://:pw@n1?a=1")) {
            ConfigException e = assertThrows(ConfigException.class, () -> read(Map.of("CHAT_REDIS_URL", url), Map.of()));
            assertTrue(e.getMessage().startsWith("CHAT_REDIS_URL must look like"), e.getMessage());
            assertFalse(e.getMessage().contains("pw"), e.getMessage());
        }
        assertThrows(ConfigException.class, () -> read(Map.of("CHAT_REDIS_PREFIX", "a b"), Map.of()));
        assertThrows(ConfigException.class, () -> read(Map.of("CHAT_PRESENCE_TTL_SECONDS", "1"), Map.of()));
    }

    @Test
    void garbageIsRefusedNamingTheVariable() {
        ConfigException e = assertThrows(ConfigException.class, () -> read(Map.of("CHAT_PORT", "eighty"), Map.of()));
        assertEquals("CHAT_PORT must be a whole number, got \"eighty\"", e.getMessage());
    }

    @Test
    void outOfRangeIsRefusedNamingTheVariable() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> read(Map.of(), Map.of("chat.idle.timeout.seconds", "0")));
        assertEquals("-Dchat.idle.timeout.seconds must be between 1 and 86400, got 0", e.getMessage(),
                "the setting as the user wrote it");
        assertThrows(ConfigException.class, () -> read(Map.of("CHAT_PORT", "70000"), Map.of()));
        assertThrows(ConfigException.class, () -> read(Map.of("CHAT_MAX_FRAME_BYTES", "10"), Map.of()));
        assertEquals("CHAT_HISTORY_MAX_MB must be between 1 and 1048576, got 0", assertThrows(ConfigException.class,
                () -> read(Map.of("CHAT_HISTORY_MAX_MB", "0"), Map.of())).getMessage());
        assertEquals(64, read(Map.of("CHAT_HISTORY_MAX_MB", "64"), Map.of()).engine().historyMaxMb());
    }

    @Test
    void replayCannotExceedHistory() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> read(Map.of("CHAT_HISTORY_SIZE", "10", "CHAT_HISTORY_REPLAY", "20"), Map.of()));
        assertEquals("CHAT_HISTORY_REPLAY must be at most CHAT_HISTORY_SIZE (10), got 20", e.getMessage());
    }

    @Test
    void aSmallHistoryAloneIsValidAndTheReplayFollowsIt() {
        ChatConfig none = read(Map.of("CHAT_HISTORY_SIZE", "0"), Map.of());
        assertEquals(0, none.historySize());
        assertEquals(0, none.historyReplay());
        assertEquals(20, read(Map.of("CHAT_HISTORY_SIZE", "20"), Map.of()).historyReplay());
        assertEquals(50, read(Map.of("CHAT_HISTORY_SIZE", "2000"), Map.of()).historyReplay());
    }

    @Test
    void aPropertyIsNamedAsTheUserWroteIt() {
        ConfigException e = assertThrows(ConfigException.class, () -> read(Map.of(), Map.of("chat.port", "abc")));
        assertEquals("-Dchat.port must be a whole number, got \"abc\"", e.getMessage());
        e = assertThrows(ConfigException.class, () -> read(Map.of("CHAT_HISTORY_SIZE", "5"), Map.of("chat.history.replay", "9")));
        assertEquals("-Dchat.history.replay must be at most CHAT_HISTORY_SIZE (5), got 9", e.getMessage());
        e = assertThrows(ConfigException.class, () -> read(Map.of(), Map.of("chat.log.format", "xml")));
        assertTrue(e.getMessage().startsWith("-Dchat.log.format must be text or json"), e.getMessage());
    }

    @Test
    void anUnknownChatVariableIsRefusedWithTheClosestSetting() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> read(Map.of("CHAT_JWT_SECRT", "a-secret-that-is-long-enough-for-hs256"), Map.of()));
        assertEquals("CHAT_JWT_SECRT is not a setting of the chat (did you mean CHAT_JWT_SECRET?);"
                + " --help (or the README) lists every setting", e.getMessage());
        assertFalse(e.getMessage().contains("long-enough"), "the value, a secret perhaps, is never echoed");
        e = assertThrows(ConfigException.class, () -> read(Map.of("CHAT_WHATEVER_ELSE", "1"), Map.of()));
        assertEquals("CHAT_WHATEVER_ELSE is not a setting of the chat; --help (or the README) lists every setting",
                e.getMessage());
        // other variables are none of the chat's business
        assertEquals(8080, read(Map.of("PATH", "/bin", "CHATTY", "1", "JAVA_OPTS", "-Xmx1g"), Map.of()).port());
    }

    @Test
    void theHostIsAnAddressOrAName() {
        assertEquals("127.0.0.1", read(Map.of("CHAT_HOST", " 127.0.0.1 "), Map.of()).host());
        assertEquals("chat-1.internal", read(Map.of("CHAT_HOST", "chat-1.internal"), Map.of()).host());
        assertEquals("::1", read(Map.of("CHAT_HOST", "[::1]"), Map.of()).host());
        assertEquals("::", read(Map.of(), Map.of("chat.host", "::")).host());
        assertEquals("::ffff:127.0.0.1", read(Map.of("CHAT_HOST", "::ffff:127.0.0.1"), Map.of()).host());
        assertEquals("fe80::1%1", read(Map.of("CHAT_HOST", "fe80::1%1"), Map.of()).host());
        assertEquals("255.255.255.255", read(Map.of("CHAT_HOST", "255.255.255.255"), Map.of()).host());
        assertEquals("8chat.example", read(Map.of("CHAT_HOST", "8chat.example"), Map.of()).host());
        assertEquals("0.0.0.0", read(Map.of("CHAT_HOST", ""), Map.of()).host());
    }

    @Test
    void aHostThatCannotBeListenedOnIsRefused() {
        for (String bad : new String[] {"http://example.com", "local host", "example.com:8080", "::1::2", "-x", "a..b",
                "999.1.1.1", "1.2.3.4.5", "127.1", "2130706433", "0", ".:", "a%b"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> read(Map.of("CHAT_HOST", bad), Map.of()), bad);
            assertEquals("CHAT_HOST must be an IP address or a host name to listen on (0.0.0.0 for every interface,"
                    + " 127.0.0.1 for this machine only), got \"" + bad + "\"", e.getMessage());
        }
    }

    @Test
    void logsAreTextUnlessJsonIsAsked() {
        assertEquals(ChatConfig.LogFormat.TEXT, read(Map.of(), Map.of()).logFormat());
        assertEquals(ChatConfig.LogFormat.JSON, read(Map.of("CHAT_LOG_FORMAT", "JSON"), Map.of()).logFormat());
        ConfigException e = assertThrows(ConfigException.class, () -> read(Map.of("CHAT_LOG_FORMAT", "xml"), Map.of()));
        assertTrue(e.getMessage().startsWith("CHAT_LOG_FORMAT must be text or json"), e.getMessage());
    }

    @Test
    void aMetricsTokenIsLongEnoughAndNeverShown() {
        String token = "a-metrics-token-of-32-characters";
        ChatConfig config = read(Map.of("CHAT_METRICS_TOKEN", token), Map.of());
        assertEquals(token, config.security().metricsToken());
        assertFalse(config.describe().contains(token));
        assertFalse(config.toString().contains(token));
        for (String bad : List.of("short", "sixteen chars ok but spaced")) {
            ConfigException e = assertThrows(ConfigException.class, () -> read(Map.of("CHAT_METRICS_TOKEN", bad), Map.of()));
            assertTrue(e.getMessage().startsWith("CHAT_METRICS_TOKEN must be"), e.getMessage());
            assertFalse(e.getMessage().contains(bad), "the token is never echoed");
        }
    }

    @Test
    void thePagesSignInIsAPathOfItsSiteOrAWebUrl() {
        ChatConfig.Security security = read(Map.of("CHAT_TOKEN_URL", "/api/chat-token",
                "CHAT_LOGIN_URL", "https://login.example.com/sign-in?to=chat"), Map.of()).security();
        assertEquals("/api/chat-token", security.tokenUrl());
        assertEquals("https://login.example.com/sign-in?to=chat", security.loginUrl());
        assertEquals(null, ChatConfig.Security.defaults().tokenUrl());
        assertFalse(ChatConfig.Security.defaults().tokensRequired(), "no secret, no tokens");
        assertTrue(security.withJwtSecret("a-test-secret-that-is-long-enough-for-hs256").tokensRequired());
        for (String bad : List.of("//evil.example.com/token", "javascript:alert(1)", "api/token", "https://u:p@h/t",
                "/token#x", "ftp://h/t", "/a b")) {
            ConfigException e = assertThrows(ConfigException.class, () -> read(Map.of("CHAT_TOKEN_URL", bad), Map.of()));
            assertTrue(e.getMessage().startsWith("CHAT_TOKEN_URL must be a path of the page's site"), e.getMessage());
        }
        assertThrows(ConfigException.class, () -> ChatConfig.Security.defaults().withSignIn("/t", "data:text/html,x"));
    }

    @Test
    void aConnectionMayBeInAHundredRoomsUnlessToldOtherwise() {
        assertEquals(100, read(Map.of(), Map.of()).maxRoomsPerConnection());
        assertEquals(7, read(Map.of("CHAT_MAX_ROOMS_PER_CONNECTION", "7"), Map.of()).maxRoomsPerConnection());
        assertEquals(10_000, ChatConfig.defaults().withMaxRoomsPerConnection(10_000).maxRoomsPerConnection());
        assertEquals("CHAT_MAX_ROOMS_PER_CONNECTION must be between 1 and 10000, got 0", assertThrows(ConfigException.class,
                () -> read(Map.of("CHAT_MAX_ROOMS_PER_CONNECTION", "0"), Map.of())).getMessage());
        assertEquals("-Dchat.max.rooms.per.connection must be between 1 and 10000, got 10001",
                assertThrows(ConfigException.class,
                        () -> read(Map.of(), Map.of("chat.max.rooms.per.connection", "10001"))).getMessage());
        assertTrue(ChatConfig.defaults().describe().contains("\nCHAT_MAX_ROOMS_PER_CONNECTION=100\n"));
    }

    @Test
    void theWithMethodsCheckAsReadingDoes() {
        assertEquals("CHAT_PORT must be between 0 and 65535, got 70000",
                assertThrows(ConfigException.class, () -> ChatConfig.defaults().withPort(70_000)).getMessage());
        assertEquals("CHAT_HISTORY_REPLAY must be at most CHAT_HISTORY_SIZE (10), got 20",
                assertThrows(ConfigException.class, () -> ChatConfig.defaults().withHistory(10, 20)).getMessage());
        assertEquals("CHAT_RATE_BURST must be between 1 and 1000000, got 0",
                assertThrows(ConfigException.class, () -> ChatConfig.Security.defaults().withRate(5, 0)).getMessage());
        assertEquals(0, ChatConfig.Security.defaults().withRate(0, 0).rateBurst(), "no burst without a rate");
        assertThrows(ConfigException.class, () -> ChatConfig.Engine.inMemory().withRedis("redis://h:1", "a b"));
        assertEquals("::1", ChatConfig.defaults().withHost("[::1]").host());
    }

    @Test
    void aBoundIsNamedAsTheUserWroteItToo() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> read(Map.of(), Map.of("chat.history.size", "5", "chat.history.replay", "9")));
        assertEquals("-Dchat.history.replay must be at most -Dchat.history.size (5), got 9", e.getMessage());
    }

    @Test
    void securityAndEngineCarryOnlyTheirOwnSettingsIntoAConfig() {
        ChatConfig config = ChatConfig.defaults().withMaxRooms(5);
        ChatConfig.Security security = ChatConfig.defaults().withPort(1).security().withMaxConnections(3);
        ChatConfig.Engine engine = ChatConfig.defaults().withPort(2).engine().withPresenceTtlSeconds(9);

        ChatConfig both = config.withSecurity(security).withEngine(engine);

        assertEquals(ChatConfig.defaults().port(), both.port(), "the port of the config they came from is not carried");
        assertEquals(5, both.maxRooms());
        assertEquals(3, both.security().maxConnections());
        assertEquals(9, both.engine().presenceTtlSeconds());
        assertEquals(security, both.security());
        assertEquals(ChatConfig.defaults(), both.withMaxRooms(10_000).withSecurity(ChatConfig.Security.defaults())
                .withEngine(ChatConfig.Engine.inMemory()));
        assertFalse(both.equals(ChatConfig.defaults()));
    }
}

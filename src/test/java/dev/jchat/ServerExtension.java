package dev.jchat;

import dev.jchat.config.ChatConfig;
import dev.jchat.launcher.EmbeddedServer;
import dev.jchat.engine.redis.RedisServer;
import dev.jchat.servers.PayaraServer;
import dev.jchat.servers.ServerProcess;
import dev.jchat.servers.TomcatServer;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real chat server for the tests of one class: started on a free port before them, stopped
 * after them, even when they fail. Register it as a static field with {@code @RegisterExtension}.
 */
public final class ServerExtension implements BeforeAllCallback, AfterAllCallback {

    /** Where a started server answers, how to stop it, and its process (null in this JVM). */
    private record Running(URI chatUri, URI pageUri, AutoCloseable stop, ServerProcess process) {

        Running(URI chatUri, URI pageUri, AutoCloseable stop) {
            this(chatUri, pageUri, stop, null);
        }
    }

    @FunctionalInterface
    private interface Starter {
        Running start() throws Exception;
    }

    private final Starter starter;
    private Running running;

    private ServerExtension(Starter starter) {
        this.starter = starter;
    }

    /** The embedded Tyrus/Grizzly launcher in this JVM. */
    public static ServerExtension embedded(ChatConfig config) {
        return new ServerExtension(() -> {
            EmbeddedServer server = EmbeddedServer.start(config.withPort(0));
            return new Running(server.chatUri(), server.pageUri(), server::close);
        });
    }

    /** The embedded launcher sending through the WebSocket API's sendText, as a WAR does, not framed bytes. */
    public static ServerExtension embeddedPortable(ChatConfig config) {
        return new ServerExtension(() -> {
            EmbeddedServer server = EmbeddedServer.start(config.withPort(0), false);
            return new Running(server.chatUri(), server.pageUri(), server::close);
        });
    }

    /**
     * The embedded launcher with its rooms in a redis-server of its own (started first, on a free
     * port; skipped without redis-server unless TESTS_REQUIRE_REDIS=1).
     */
    public static ServerExtension embeddedOnRedis(ChatConfig config) {
        return new ServerExtension(() -> {
            RedisServer redis = RedisServer.start();
            try {
                EmbeddedServer server = EmbeddedServer.start(config.withPort(0)
                        .withEngine(config.engine().withRedis(redis.url(), config.engine().redisPrefix())));
                return new Running(server.chatUri(), server.pageUri(), () -> {
                    server.close();
                    redis.close();
                });
            } catch (Exception | AssertionError e) {
                redis.close();
                throw e;
            }
        });
    }

    /** target/chat.war in a real Tomcat 10.1, configured through its environment. */
    public static ServerExtension tomcat(Map<String, String> env) {
        return new ServerExtension(() -> of(TomcatServer.start(env)));
    }

    /** target/chat.war in a real Payara Micro 6, configured through system properties and its environment. */
    public static ServerExtension payara(Map<String, String> properties, Map<String, String> env) {
        return new ServerExtension(() -> of(PayaraServer.start(properties, env)));
    }

    private static Running of(ServerProcess server) {
        return new Running(server.chatUri(), server.pageUri(), server::close, server);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        running = starter.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (running != null) {
            running.stop().close();
            running = null;
        }
    }

    public URI chatUri() {
        return running().chatUri();
    }

    public URI pageUri() {
        return running().pageUri();
    }

    /** Everything a server in a process of its own printed so far. */
    public String log() throws IOException {
        if (running().process() == null) {
            throw new IllegalStateException("a server in the test JVM has no output of its own");
        }
        return running().process().log();
    }

    private Running running() {
        if (running == null) {
            throw new IllegalStateException("the server runs only while its test class does");
        }
        return running;
    }
}

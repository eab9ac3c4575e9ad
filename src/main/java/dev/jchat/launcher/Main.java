package dev.jchat.launcher;

import dev.jchat.ChatConfig;
import dev.jchat.ConfigException;
import java.util.concurrent.CountDownLatch;

/** Runs the embedded chat server until SIGTERM or Ctrl-C, then exits 0. */
public final class Main {

    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        ChatConfig config;
        try {
            config = ChatConfig.fromEnvironment();
        } catch (ConfigException e) {
            System.err.println("chat: " + e.getMessage());
            System.exit(2);
            return;
        }
        EmbeddedServer server;
        try {
            server = EmbeddedServer.start(config);
        } catch (Exception e) {
            System.err.println("chat: cannot listen on " + config.host() + " port " + config.port() + ": " + e);
            System.exit(1);
            return;
        }
        LOG.log(System.Logger.Level.INFO, "settings:\n{0}", config.describe());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
            // A stop we asked for is a clean exit: 0, not the 143 the JVM reports for SIGTERM.
            Runtime.getRuntime().halt(0);
        }, "chat-shutdown"));
        System.out.println("Chat server listening: open " + server.pageUri() + " (WebSocket " + server.chatUri() + ")");
        stopped.await();
    }
}

package dev.jchat.launcher;

import dev.jchat.config.ChatConfig;
import dev.jchat.config.ConfigException;
import dev.jchat.logging.LogSetup;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/** Runs the embedded chat server until SIGTERM or Ctrl-C, then exits 0; {@code --help} lists the settings. */
public final class Main {

    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0) {
            // only --help is understood: settings come from the environment, so no argument starts a server
            System.exit(Usage.answer(args, System.out, System.err));
            return;
        }
        ChatConfig config;
        try {
            config = ChatConfig.fromEnvironment();
            EmbeddedServer.refuseContainerAuth(config);
        } catch (ConfigException e) {
            System.err.println("chat: " + e.getMessage());
            System.exit(2);
            return;
        }
        boolean json = config.logFormat() == ChatConfig.LogFormat.JSON;
        if (json) {
            LogSetup.jsonForTheProcess();
        }
        LOG.log(System.Logger.Level.INFO, "starting the chat server (standalone) on {0} port {1}, {2}",
                config.host(), String.valueOf(config.port()), config.engine().redis()
                        ? "rooms in Redis at " + config.engine().redisAddress() : "rooms in this process's memory");
        EmbeddedServer server;
        try {
            server = EmbeddedServer.start(config);
        } catch (Exception e) {
            System.err.println("chat: cannot listen on " + config.host() + " port " + config.port() + ": " + e);
            System.exit(1);
            return;
        }
        LOG.log(System.Logger.Level.INFO, "settings:\n{0}", config.describe());
        AtomicBoolean closed = new AtomicBoolean();
        Runnable close = () -> {
            if (closed.compareAndSet(false, true)) {
                server.close();
            }
        };
        // SIGTERM and Ctrl-C are a stop we asked for: close, then exit 0 through System.exit, which
        // runs every other shutdown hook (a JFR dump, a log handler) to its end. Any other way out
        // still closes the server, from the hook.
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> stop.countDown());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(close, "chat-shutdown"));
        String listening = "Chat server listening: open " + server.pageUri() + " (WebSocket " + server.chatUri() + ")";
        if (json) {
            LOG.log(System.Logger.Level.INFO, listening); // every line a JSON object
        } else {
            System.out.println(listening);
        }
        stop.await();
        close.run();
        System.exit(0);
    }
}

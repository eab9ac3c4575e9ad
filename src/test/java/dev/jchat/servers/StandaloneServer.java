package dev.jchat.servers;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code target/chat-standalone.jar} in a process of its own, as {@code java -jar} runs it. */
public final class StandaloneServer {

    static final Path JAR = Path.of(System.getProperty("chat.standalone.jar", "target/chat-standalone.jar"));

    private StandaloneServer() {
    }

    /** Starts the jar on a free loopback port with {@code env} added to its environment. */
    public static ServerProcess start(Map<String, String> env) throws IOException, InterruptedException {
        int port = ServerProcess.freePort();
        Path dir = ServerProcess.workDir("standalone", port);
        Map<String, String> all = new HashMap<>(env);
        all.put("CHAT_HOST", "127.0.0.1");
        all.put("CHAT_PORT", Integer.toString(port));
        List<String> command = List.of(ServerProcess.JAVA, "-jar", JAR.toAbsolutePath().toString());
        return ServerProcess.start("the standalone jar", command, dir, all, port, Duration.ofSeconds(60), JAR, "");
    }
}

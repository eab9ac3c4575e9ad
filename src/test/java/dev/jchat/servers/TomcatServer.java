package dev.jchat.servers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Apache Tomcat 10.1 from Maven Central, with {@code target/chat.war} (or a test's WAR) copied in as {@code chat.war}. */
public final class TomcatServer {

    static final Path HOME = Path.of(System.getProperty("chat.tomcat.home", "target/servers/tomcat"));

    /** The server.xml docker/Dockerfile gives Tomcat: 2 KB socket buffers, not 8 KB, per connection. */
    static final Path SERVER_XML = Path.of("docker/tomcat-server.xml");

    /** What docker/Dockerfile gives Tomcat: 2 KB WebSocket buffers, not 8 KB, per connection. */
    static final String WEBSOCKET_BUFFERS = "-Dorg.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE=2048";

    private TomcatServer() {
    }

    /**
     * Starts Tomcat on a free port with a fresh {@code catalina.base}; {@code env} reaches the
     * application as environment variables.
     */
    public static ServerProcess start(Map<String, String> env) throws IOException, InterruptedException {
        return start(env, true, ServerProcess.WAR, null);
    }

    /**
     * As {@link #start(Map)}, deploying {@code war} as {@code chat.war}, and asking for the page
     * with {@code authorization} (null for none) while waiting for it.
     */
    public static ServerProcess start(Map<String, String> env, Path war, String authorization)
            throws IOException, InterruptedException {
        return start(env, true, war, authorization);
    }

    /** As {@link #start(Map)}, without waiting for the page: for a deployment that is to fail. */
    public static ServerProcess launch(Map<String, String> env) throws IOException, InterruptedException {
        return start(env, false, ServerProcess.WAR, null);
    }

    private static ServerProcess start(Map<String, String> env, boolean awaitPage, Path war, String authorization)
            throws IOException, InterruptedException {
        if (!Files.isDirectory(HOME)) {
            throw new IllegalStateException("no Tomcat at " + HOME + ": `./mvnw verify` unpacks it before the tests");
        }
        int port = ServerProcess.freePort();
        Path base = ServerProcess.workDir("tomcat", port);
        Path conf = Files.createDirectories(base.resolve("conf"));
        try (Stream<Path> files = Files.list(HOME.resolve("conf"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(file)) {
                    Files.copy(file, conf.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        // The image's own server.xml; loopback only here, the port a system property.
        Files.copy(SERVER_XML, conf.resolve("server.xml"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(conf.resolve("logging.properties"), """
                handlers = java.util.logging.ConsoleHandler
                .handlers = java.util.logging.ConsoleHandler
                java.util.logging.ConsoleHandler.level = FINE
                java.util.logging.ConsoleHandler.formatter = org.apache.juli.OneLineFormatter
                java.util.logging.ConsoleHandler.encoding = UTF-8
                """);
        for (String dir : List.of("webapps", "logs", "temp", "work")) {
            Files.createDirectories(base.resolve(dir));
        }
        Files.copy(war, base.resolve("webapps/chat.war"), StandardCopyOption.REPLACE_EXISTING);

        List<String> command = new ArrayList<>(List.of(ServerProcess.JAVA,
                // as catalina.sh passes them, so that shutdown cleans up without warnings
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                "--add-opens=java.base/java.io=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                "--add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED",
                "-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager",
                "-Djava.util.logging.config.file=" + conf.resolve("logging.properties"),
                "-Dcatalina.home=" + HOME.toAbsolutePath(),
                "-Dcatalina.base=" + base,
                "-Djava.io.tmpdir=" + base.resolve("temp"),
                "-Dchat.port=" + port,
                "-Dchat.address=127.0.0.1",
                WEBSOCKET_BUFFERS,
                "-cp", HOME.resolve("bin/bootstrap.jar").toAbsolutePath() + ":"
                        + HOME.resolve("bin/tomcat-juli.jar").toAbsolutePath(),
                "org.apache.catalina.startup.Bootstrap", "start"));
        return awaitPage ? ServerProcess.start("Tomcat", command, base, env, port, Duration.ofSeconds(60), war, "/chat",
                authorization)
                : ServerProcess.launch("Tomcat", command, base, env, port, "/chat");
    }
}

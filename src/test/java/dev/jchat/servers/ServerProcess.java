package dev.jchat.servers;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real application server (Tomcat, Payara Micro) running our WAR in a process of its own, on a
 * free loopback port, with its output in a log file. Closing it stops that process, forcibly if
 * it does not go within a few seconds.
 */
public final class ServerProcess implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ServerProcess.class.getName());
    static final Path WAR = Path.of(System.getProperty("chat.war", "target/chat.war"));
    static final Path WORK = Path.of(System.getProperty("chat.servers.work", "target/it-servers"));
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;
    private final Duration startTime;
    private final String context;

    private ServerProcess(String name, Process process, int port, Path log, Duration startTime, String context) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
        this.startTime = startTime;
        this.context = context;
    }

    /**
     * Starts {@code command} in {@code dir} with {@code env} added, and waits until
     * {@code http://127.0.0.1:port/chat/} answers 200.
     */
    static ServerProcess start(String name, List<String> command, Path dir, Map<String, String> env, int port,
                               Duration timeout) throws IOException, InterruptedException {
        return start(name, command, dir, env, port, timeout, WAR, "/chat");
    }

    /**
     * Starts {@code command}, which runs {@code artifact}, and waits until the page at
     * {@code context + "/"} answers 200.
     */
    static ServerProcess start(String name, List<String> command, Path dir, Map<String, String> env, int port,
                               Duration timeout, Path artifact, String context) throws IOException, InterruptedException {
        return start(name, command, dir, env, port, timeout, artifact, context, null);
    }

    /**
     * As above, asking for the page with {@code authorization} (an {@code Authorization} header's
     * value, or null): a page behind the server's login answers 401 without it.
     */
    static ServerProcess start(String name, List<String> command, Path dir, Map<String, String> env, int port,
                               Duration timeout, Path artifact, String context, String authorization)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(artifact)) {
            throw new IllegalStateException("no " + artifact + ": run `./mvnw verify`, which packages it first");
        }
        long started = System.nanoTime();
        ServerProcess server = launch(name, command, dir, env, port, context);
        Process process = server.process;
        Path log = server.log;
        try {
            server.awaitPage(timeout, authorization);
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            server.close();
            throw e;
        }
        Duration startTime = Duration.ofNanos(System.nanoTime() - started);
        LOG.log(System.Logger.Level.INFO, "{0} served the WAR after {1} ms", name, startTime.toMillis());
        return new ServerProcess(name, process, port, log, startTime, context);
    }

    /** Starts {@code command} in {@code dir} with {@code env} added, its output in the log, and waits for nothing. */
    static ServerProcess launch(String name, List<String> command, Path dir, Map<String, String> env, int port,
                                String context) throws IOException {
        Path log = dir.resolve("server.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        return new ServerProcess(name, builder.start(), port, log, null, context);
    }

    private void awaitPage(Duration timeout, String authorization) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest.Builder asked = HttpRequest.newBuilder(pageUri()).timeout(Duration.ofSeconds(5));
        if (authorization != null) {
            asked.header("Authorization", authorization);
        }
        HttpRequest request = asked.build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + "; its log:\n" + tail());
            }
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " did not serve " + pageUri() + " within " + timeout.toSeconds()
                + " s; its log:\n" + tail());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static Path workDir(String name, int port) throws IOException {
        return Files.createDirectories(WORK.resolve(name + "-" + port)).toAbsolutePath();
    }

    /** The server's process id, for jcmd. */
    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    /** Time from the process start to the page answering 200. */
    public Duration startTime() {
        return startTime;
    }

    /** The page: {@code http://127.0.0.1:PORT/chat/} for the WAR. */
    public URI pageUri() {
        return URI.create("http://127.0.0.1:" + port + context + "/");
    }

    /** The endpoint: under the WAR's context root, or at the root of the standalone jar. */
    public URI chatUri() {
        return URI.create("ws://127.0.0.1:" + port + context + "/chat");
    }

    /** Kills the process at once (SIGKILL), as a crash would: nothing of it runs any more. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** Everything the server printed so far. */
    public String log() throws IOException {
        return Files.readString(log);
    }

    private String tail() {
        try {
            String text = Files.readString(log);
            return text.length() > 6000 ? text.substring(text.length() - 6000) : text;
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: both servers shut down cleanly on it
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

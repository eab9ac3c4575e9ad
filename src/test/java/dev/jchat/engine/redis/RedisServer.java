package dev.jchat.engine.redis;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} of the test's own: a free port, a temporary folder, AOF on (or off,
 * {@link #startFromSnapshots}), no automatic snapshots. It can be stopped, killed with SIGKILL and started again on the same port and data.
 * Debian's system service on 6379 is never used. Without redis-server the test is skipped with a
 * hint, unless {@code TESTS_REQUIRE_REDIS=1} (as .ci/run sets it) makes that a failure.
 */
public final class RedisServer implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/redis-server");
    static final String MISSING = "redis-server not installed: apt-get install redis-server";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final Path dir;
    private final int port;
    private final boolean aof;
    private Process process;

    private RedisServer(Path dir, int port, boolean aof) {
        this.dir = dir;
        this.port = port;
        this.aof = aof;
    }

    /** Starts one, or skips the test when redis-server is not installed (fails with TESTS_REQUIRE_REDIS=1). */
    public static RedisServer start() throws IOException {
        return start(true);
    }

    /**
     * One without AOF: what it holds after a {@link #kill} and {@link #startAgain} is what the last
     * {@code SAVE} wrote, as when Redis is restored from an older backup (or {@code appendfsync
     * everysec} loses its last second).
     */
    public static RedisServer startFromSnapshots() throws IOException {
        return start(false);
    }

    private static RedisServer start(boolean aof) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            if ("1".equals(System.getenv("TESTS_REQUIRE_REDIS"))) {
                fail(MISSING + " (TESTS_REQUIRE_REDIS=1 demands the Redis tests)");
            }
            assumeTrue(false, MISSING);
        }
        RedisServer server = new RedisServer(Files.createTempDirectory("chat-redis-"), freePort(), aof);
        server.startAgain();
        return server;
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Starts it again on the same port and data (after {@link #stop} or {@link #kill}). */
    public void startAgain() throws IOException {
        process = new ProcessBuilder(BINARY.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--save", "", "--appendonly", aof ? "yes" : "no", "--appendfsync", "always",
                "--maxmemory-policy", "noeviction", "--protected-mode", "yes")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!"+PONG".equals(command("PING"))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("redis-server did not start on port " + port + ": " + log());
            }
            sleep(20);
        }
    }

    /** Stops it as an operator would (SIGTERM); its data stays. */
    public void stop() throws InterruptedException {
        process.destroy();
        process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Kills it at once (SIGKILL); with appendfsync always, what it answered is on disk. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** One inline command, e.g. {@code "DBSIZE"}; its first reply line, or null when nobody answers. */
    public String command(String line) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            StringBuilder reply = new StringBuilder();
            int c;
            while ((c = socket.getInputStream().read()) != -1 && c != '\r') {
                reply.append((char) c);
            }
            return reply.toString();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The id of the client connection named {@code name} ({@code CLIENT SETNAME}), from {@code CLIENT
     * LIST}, for a {@code CLIENT KILL ID} of exactly that connection; null when there is none.
     */
    public String clientId(String name) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write("CLIENT LIST\r\n".getBytes(StandardCharsets.UTF_8));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            StringBuilder header = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                header.append((char) c);
            }
            byte[] list = new byte[Integer.parseInt(header.toString().strip().substring(1))]; // $<length>
            in.readFully(list);
            for (String line : new String(list, StandardCharsets.UTF_8).split("\n")) {
                if ((" " + line + " ").contains(" name=" + name + " ")) {
                    return line.replaceFirst("^id=(\\d+) .*", "$1").strip();
                }
            }
            return null;
        }
    }

    private String log() throws IOException {
        Path log = dir.resolve("redis.log");
        return Files.exists(log) ? Files.readString(log) : "(no log)";
    }

    @Override
    public void close() throws IOException, InterruptedException {
        kill();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

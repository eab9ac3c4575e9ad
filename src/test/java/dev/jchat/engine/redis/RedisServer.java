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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} of the test's own: a free port, a temporary folder, AOF on (or off,
 * {@link #startFromSnapshots}), no automatic snapshots. It can be stopped, killed with SIGKILL and started again on the same port and data.
 * The same for a replica of another ({@link #startReplicaOf}) and a sentinel ({@link #startSentinel},
 * {@code redis-server --sentinel} with a configuration file of its own): every Redis process a test
 * runs is one of these, so that a test of Sentinel or Cluster manages them the same way.
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
    /** What follows the port and data options on the command line ({@code --replicaof ...}), or, for a sentinel, null. */
    private final List<String> more;
    private Process process;

    private RedisServer(Path dir, int port, boolean aof, List<String> more) {
        this.dir = dir;
        this.port = port;
        this.aof = aof;
        this.more = more;
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
        return start(aof, List.of());
    }

    /** A replica of {@code master} (AOF on, as the master's), replicating from the start. */
    public static RedisServer startReplicaOf(RedisServer master) throws IOException {
        return start(true, List.of("--replicaof", "127.0.0.1", Integer.toString(master.port)));
    }

    /**
     * A sentinel watching {@code master} as {@code name}, with a quorum of {@code quorum}: it takes a
     * master for down after {@code downAfterMillis} without an answer, and a failover that did not
     * finish for failed after twice that. Its configuration file is its own (a sentinel rewrites it).
     */
    public static RedisServer startSentinel(RedisServer master, String name, int quorum, int downAfterMillis)
            throws IOException {
        RedisServer sentinel = create(true, null);
        Files.writeString(sentinel.dir.resolve("sentinel.conf"), String.join("\n",
                "port " + sentinel.port,
                "bind 127.0.0.1",
                "dir " + sentinel.dir,
                "sentinel monitor " + name + " 127.0.0.1 " + master.port + " " + quorum,
                "sentinel down-after-milliseconds " + name + " " + downAfterMillis,
                "sentinel failover-timeout " + name + " " + 2 * downAfterMillis,
                "sentinel parallel-syncs " + name + " 1", ""));
        sentinel.startAgain();
        return sentinel;
    }

    /**
     * A node of a Redis Cluster still to be made ({@link RedisClusterNodes}): cluster mode on, its
     * own nodes file, a node taken for failed after {@code nodeTimeoutMillis}. Its port leaves room
     * for the cluster bus, 10 000 above it.
     */
    public static RedisServer startClusterNode(int nodeTimeoutMillis) throws IOException {
        RedisServer node = create(true, List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", Integer.toString(nodeTimeoutMillis)), clusterPort());
        node.startAgain();
        return node;
    }

    private static RedisServer start(boolean aof, List<String> more) throws IOException {
        RedisServer server = create(aof, more);
        server.startAgain();
        return server;
    }

    private static RedisServer create(boolean aof, List<String> more) throws IOException {
        return create(aof, more, freePort());
    }

    private static RedisServer create(boolean aof, List<String> more, int port) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            if ("1".equals(System.getenv("TESTS_REQUIRE_REDIS"))) {
                fail(MISSING + " (TESTS_REQUIRE_REDIS=1 demands the Redis tests)");
            }
            assumeTrue(false, MISSING);
        }
        return new RedisServer(Files.createTempDirectory("chat-redis-"), port, aof, more);
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
        List<String> command = new ArrayList<>(List.of(BINARY.toString()));
        if (more == null) {
            command.addAll(List.of(dir.resolve("sentinel.conf").toString(), "--sentinel"));
        } else {
            command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--dir", dir.toString(), "--save", "", "--appendonly", aof ? "yes" : "no", "--appendfsync", "always",
                    "--maxmemory-policy", "noeviction", "--protected-mode", "yes"));
            command.addAll(more);
        }
        process = new ProcessBuilder(command)
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

    /** Stops it (SIGSTOP) without its connections closing, until {@link #thaw}: a process that hangs. */
    public void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** Lets a {@link #freeze frozen} one go on (SIGCONT). */
    public void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
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
     * One inline command's whole reply, flattened: a status, error, number or string as one element,
     * an array as its elements in order (nested ones flattened too), a nil as null.
     */
    public List<String> ask(String line) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            List<String> reply = new ArrayList<>();
            read(in, reply);
            return reply;
        }
    }

    private static void read(DataInputStream in, List<String> into) throws IOException {
        int type = in.read();
        StringBuilder header = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            header.append((char) c);
        }
        in.read(); // \n
        switch (type) {
            case '*' -> {
                for (int i = Integer.parseInt(header.toString()); i > 0; i--) {
                    read(in, into);
                }
            }
            case '$' -> {
                int length = Integer.parseInt(header.toString());
                if (length < 0) {
                    into.add(null);
                } else {
                    byte[] bulk = new byte[length + 2];
                    in.readFully(bulk);
                    into.add(new String(bulk, 0, length, StandardCharsets.UTF_8));
                }
            }
            default -> into.add(header.toString());
        }
    }

    /**
     * The id of the client connection named {@code name} ({@code CLIENT SETNAME}), from {@code CLIENT
     * LIST}, for a {@code CLIENT KILL ID} of exactly that connection; null when there is none.
     */
    public String clientId(String name) throws IOException {
        for (String line : ask("CLIENT LIST").get(0).split("\n")) {
            if ((" " + line.strip() + " ").contains(" name=" + name + " ")) {
                return line.replaceFirst("^id=(\\d+) .*", "$1").strip();
            }
        }
        return null;
    }

    /** A sentinel's answer about the master it watches as {@code name} ({@code SENTINEL MASTER}): field to value. */
    public Map<String, String> sentinelMaster(String name) throws IOException {
        List<String> fields = ask("SENTINEL MASTER " + name);
        Map<String, String> master = new HashMap<>();
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            master.put(fields.get(i), fields.get(i + 1));
        }
        return master;
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

    /**
     * A free port whose cluster bus port (10 000 above) is free too, both below Linux's ephemeral
     * ports (32768 on): a bus port among them could be taken by any outgoing connection between the
     * check and the node's start (a cluster test failed so, "bind: Address already in use").
     */
    private static int clusterPort() throws IOException {
        java.util.Random random = new java.util.Random();
        for (int tries = 0; tries < 1000; tries++) {
            int port = 10_000 + random.nextInt(12_000);
            if (free(port) && free(port + 10_000)) {
                return port;
            }
        }
        throw new IOException("no free port with a free cluster bus port");
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
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

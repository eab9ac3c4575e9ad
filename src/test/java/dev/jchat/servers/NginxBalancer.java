package dev.jchat.servers;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Debian's nginx in front of several chat servers: round robin, no stickiness, WebSocket
 * upgrades passed through, the next server tried when one does not answer. Runs in the
 * foreground with its own prefix folder; never touches the system's nginx. Without nginx the test
 * is skipped with a hint, unless {@code TESTS_REQUIRE_NGINX=1} (as .ci/run sets it).
 */
public final class NginxBalancer implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/nginx");
    static final String MISSING = "nginx not installed: apt-get install nginx";

    private final Process process;
    private final int port;
    private final Path dir;

    private NginxBalancer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** Starts nginx on a free loopback port, balancing over the servers' ports. */
    public static NginxBalancer start(List<Integer> upstreamPorts) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            if ("1".equals(System.getenv("TESTS_REQUIRE_NGINX"))) {
                fail(MISSING + " (TESTS_REQUIRE_NGINX=1 demands the load-balancer tests)");
            }
            assumeTrue(false, MISSING);
        }
        int port = ServerProcess.freePort();
        Path dir = ServerProcess.workDir("nginx", port);
        Files.createDirectories(dir.resolve("logs"));
        String servers = upstreamPorts.stream().map(p -> "    server 127.0.0.1:" + p + " max_fails=1 fail_timeout=30s;")
                .collect(Collectors.joining("\n"));
        Files.writeString(dir.resolve("nginx.conf"), """
                worker_processes 1;
                error_log logs/error.log warn;
                pid nginx.pid;
                events { worker_connections 256; }
                http {
                  access_log logs/access.log;
                  client_body_temp_path tmp-body;
                  proxy_temp_path tmp-proxy;
                  fastcgi_temp_path tmp-fastcgi;
                  uwsgi_temp_path tmp-uwsgi;
                  scgi_temp_path tmp-scgi;
                  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                  upstream chat {
                %s
                  }
                  server {
                    listen 127.0.0.1:%d;
                    location / {
                      proxy_pass http://chat;
                      proxy_http_version 1.1;
                      proxy_set_header Upgrade $http_upgrade;
                      proxy_set_header Connection $connection_upgrade;
                      proxy_set_header Host $http_host;
                      proxy_read_timeout 120s;
                      proxy_connect_timeout 2s;
                      proxy_next_upstream error timeout;
                    }
                  }
                }
                """.formatted(servers, port));
        Process process = new ProcessBuilder(BINARY.toString(), "-p", dir.toString(), "-c", "nginx.conf",
                "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(dir.resolve("logs/stdout.log").toFile()).start();
        NginxBalancer nginx = new NginxBalancer(process, port, dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!nginx.listening()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                nginx.close();
                throw new IOException("nginx did not start: " + Files.readString(dir.resolve("logs/stdout.log"))
                        + Files.readString(dir.resolve("logs/error.log")));
            }
            Thread.sleep(50);
        }
        return nginx;
    }

    private boolean listening() {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The page through nginx. */
    public URI pageUri() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** The endpoint through nginx. */
    public URI chatUri() {
        return URI.create("ws://127.0.0.1:" + port + "/chat");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: fast shutdown of master and worker
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** nginx's error log, for a failure message. */
    public String errorLog() throws IOException {
        return Files.readString(dir.resolve("logs/error.log"));
    }
}

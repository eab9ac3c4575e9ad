package dev.jchat.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A publish hook for the benchmark (docs/API.md, "The publish hook"): the JDK's HTTP server on
 * 127.0.0.1, answering every POST {@code {"action":"allow"}} after {@code --delay-ms} (default 5),
 * as an application's hook that looks at each message would. Run beside the server, pointed at by
 * {@code CHAT_PUBLISH_HOOK_URL=http://127.0.0.1:PORT/hook} (bench/run-sweep.sh --hook):
 *
 * <pre>java -cp chat-bench.jar dev.jchat.bench.HookReceiver --port P [--delay-ms 5]</pre>
 *
 * Each answer waits on a thread of a pool large enough for the load's calls in flight (a few
 * dozen at 5 ms), so one delay holds no other answer.
 */
public final class HookReceiver {

    private static final byte[] ALLOW = "{\"action\":\"allow\"}".getBytes(StandardCharsets.UTF_8);

    private HookReceiver() {
    }

    public static void main(String[] args) throws IOException {
        int port = 0;
        long delayMs = 5;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--delay-ms" -> delayMs = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("usage: HookReceiver --port P [--delay-ms MS]");
            }
        }
        long delay = delayMs;
        // Without it the answer's head and body go in two segments, and Nagle's algorithm holds the
        // second until the chat's delayed ACK: 40 ms added to a 5 ms answer.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1_000);
        server.createContext("/hook", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
                TimeUnit.MILLISECONDS.sleep(delay);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, ALLOW.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(ALLOW);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(256));
        server.start();
        System.out.println("hook listening on http://127.0.0.1:" + server.getAddress().getPort() + "/hook, answering in "
                + delay + " ms");
    }
}

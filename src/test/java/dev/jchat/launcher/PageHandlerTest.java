package dev.jchat.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.config.ChatConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the launcher answers over plain HTTP, request lines sent exactly as written (no client normalises them). */
class PageHandlerTest {

    private static EmbeddedServer server;

    @BeforeAll
    static void start() throws Exception {
        server = EmbeddedServer.start(ChatConfig.defaults().withHost("127.0.0.1").withPort(0));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The raw answer to one request, the connection closed after it. */
    private static String answer(String method, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static int status(String answer) {
        return Integer.parseInt(answer.substring(9, 12));
    }

    @Test
    void headIsAnsweredAsHealthChecksAndProxiesSendIt() throws Exception {
        String get = answer("GET", "/");
        String head = answer("HEAD", "/");
        assertEquals(200, status(head), head);
        assertTrue(head.contains("Content-Type: text/html"), head);
        String length = get.lines().filter(l -> l.startsWith("Content-Length:")).findFirst().orElseThrow();
        assertTrue(head.contains(length), "HEAD gives the length a GET has: " + head);
        assertTrue(head.endsWith("\r\n\r\n"), "and no body: " + head);
        assertEquals(200, status(answer("HEAD", "/chat.js")));
        assertEquals(200, status(answer("HEAD", "/health/live")));
        assertEquals(404, status(answer("HEAD", "/nothing-here.html")));
        String post = answer("POST", "/");
        assertEquals(405, status(post), post);
        assertTrue(post.contains("Allow: GET, HEAD"), post);
    }

    @Test
    void pathsThatClimbOutOrCannotBeDecodedAreRefusedAsTheClientsDoingNotAServerError() throws Exception {
        for (String path : new String[] {"/../etc/passwd", "/%2e%2e/x", "/%2E%2E/%2e%2e/etc/passwd", "/%00", "/a%2fb",
                "/./index.html", "//etc/passwd", "/%5c..%5cx", "/x/../index.html"}) {
            assertEquals(404, status(answer("GET", path)), path);
        }
        for (String path : new String[] {"/%ZZ", "/%", "/%c3", "/%ff%fe"}) {
            assertEquals(400, status(answer("GET", path)), path);
        }
        assertEquals(200, status(answer("GET", "/index.html?x=%ZZ")), "the query is not the path");
        assertEquals(200, status(answer("GET", "/health/ready")));
        assertEquals(200, status(answer("GET", "/metrics")));
    }
}

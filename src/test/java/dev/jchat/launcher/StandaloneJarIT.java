package dev.jchat.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged {@code target/chat-standalone.jar}, run as a person runs it: {@code java -jar}. */
class StandaloneJarIT {

    private static final Path JAR = Path.of(System.getProperty("chat.standalone.jar", "target/chat-standalone.jar"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Process run(Map<String, String> env, Path workDir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(JAVA, "-jar", JAR.toAbsolutePath().toString())
                .directory(workDir.toFile());
        builder.environment().putAll(env);
        return builder.start();
    }

    @Test
    void theJarServesThePageAndTheEndpointFromAnyFolderAndStopsCleanlyOnSigterm() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "run `mvn package` first: " + JAR);
        int port = freePort();
        Path elsewhere = Files.createTempDirectory("chat-run-");
        Process server = run(Map.of("CHAT_PORT", String.valueOf(port)), elsewhere);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null && line.contains("http://localhost:" + port + "/"), "first line: " + line);

            HttpResponse<String> page = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("chat.js"), "the page, served from inside the jar");

            TestClient client = TestClient.connect(URI.create("ws://127.0.0.1:" + port + "/chat?user=alice"));
            client.welcome();
            client.say("hello from the jar");
            assertEquals("hello from the jar", client.next("chat").getString("msg"));

            server.destroy(); // SIGTERM
            assertEquals(1001, client.expectClose(1001).code());
            assertTrue(server.waitFor(15, TimeUnit.SECONDS), "the process exits after SIGTERM");
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void anInvalidSettingStopsTheLauncherWithOneLineAndExitCode2() throws Exception {
        Process server = run(Map.of("CHAT_PORT", "eighty"), Path.of("."));
        assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        String err = new String(server.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(2, server.exitValue());
        assertEquals("chat: CHAT_PORT must be a whole number, got \"eighty\"", err);
        assertFalse(err.contains("Exception"));
    }
}

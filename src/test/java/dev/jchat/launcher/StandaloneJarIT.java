package dev.jchat.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import dev.jchat.security.SecurityTokens;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged {@code target/chat-standalone.jar}, run as a person runs it: {@code java -jar}. */
class StandaloneJarIT {

    @TempDir
    Path workDir;

    private static final Path JAR = Path.of(System.getProperty("chat.standalone.jar", "target/chat-standalone.jar"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Process run(Map<String, String> env, Path workDir, String... jvmOptions) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", JAR.toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().putAll(env);
        return builder.start();
    }

    @Test
    void theJarServesThePageAndTheEndpointFromAnyFolderAndStopsCleanlyOnSigterm() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "run `mvn package` first: " + JAR);
        int port = freePort();
        Process server = run(Map.of("CHAT_PORT", String.valueOf(port)), workDir); // not the project folder
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
            assertEquals(0, server.exitValue(), "a requested stop is a clean exit");
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void aStopOnSigtermLetsOtherShutdownHooksFinish() throws Exception {
        // A flight recording dumped on exit is written by the JVM's own shutdown hook: an operator's
        // tool that a halt() after our close used to cut short.
        Path recording = workDir.resolve("exit.jfr");
        int port = freePort();
        Process server = run(Map.of("CHAT_PORT", String.valueOf(port)), workDir,
                "-XX:StartFlightRecording=dumponexit=true,filename=" + recording);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.contains("Chat server listening")) {
                // JFR prints its own lines first
            }
            assertTrue(line != null, "the server started");
            server.destroy(); // SIGTERM
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the process exits after SIGTERM");
            assertEquals(0, server.exitValue(), "a requested stop is a clean exit");
            assertTrue(Files.isRegularFile(recording) && Files.size(recording) > 0, "the recording was dumped on exit");
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void aShortTokenSecretIsRefusedAtStartup() throws Exception {
        Process server = run(Map.of("CHAT_JWT_SECRET", "too-short"), Path.of("."));
        assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        String err = new String(server.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(2, server.exitValue());
        assertEquals("chat: CHAT_JWT_SECRET must be at least 32 bytes for HS256, got 9", err);
    }

    @Test
    void tokensNeverReachTheServerLog() throws Exception {
        int port = freePort();
        Path logging = workDir.resolve("logging.properties");
        Files.writeString(logging, String.join("\n",
                "handlers=java.util.logging.ConsoleHandler",
                "java.util.logging.ConsoleHandler.level=ALL",
                ".level=INFO",
                "dev.jchat.level=ALL", ""));
        String secret = SecurityTokens.SECRET;
        Path output = workDir.resolve("server.log");
        ProcessBuilder builder = new ProcessBuilder(JAVA, "-Djava.util.logging.config.file=" + logging,
                "-jar", JAR.toAbsolutePath().toString()).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(Map.of("CHAT_PORT", String.valueOf(port), "CHAT_JWT_SECRET", secret));
        Process server = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(output).contains("listening") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            String good = SecurityTokens.valid("alice");
            String wrongKey = SecurityTokens.signedWith(secret + "-other", "alice");
            URI base = URI.create("ws://127.0.0.1:" + port + "/chat");
            TestClient ok = TestClient.connect(URI.create(base + "?token=" + good));
            ok.welcome();
            TestClient bad = TestClient.connect(URI.create(base + "?token=" + wrongKey));
            bad.expectError("unauthorized");
            bad.expectClose(1008);
            TestClient viaProtocol = TestClient.connect(base, Map.of(), "chat.v1", good);
            viaProtocol.welcome();
            server.destroy();
            assertTrue(server.waitFor(15, TimeUnit.SECONDS));
            String log = Files.readString(output);
            assertTrue(log.contains("CHAT_JWT_SECRET=(set"), "settings are reported: " + log);
            assertTrue(log.lines().filter(line -> line.startsWith("INFO:")).findFirst().orElse("").equals(
                    "INFO: starting the chat server (standalone) on 0.0.0.0 port " + port
                            + ", rooms in this process's memory"), "the first line says what runs, where, on what: " + log);
            assertTrue(log.contains("refusing session"), "refusals are logged: " + log);
            for (String secretText : List.of(good, wrongKey, secret, good.split("\\.")[2])) {
                assertFalse(log.contains(secretText), "a token or the secret reached the log");
            }
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

    @Test
    void containerAuthStopsTheLauncherWhichHasNoLogin() throws Exception {
        // every handshake would be refused for want of a signed-in user: say so at once instead
        Process server = run(Map.of("CHAT_AUTH", "container"), Path.of("."));
        assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        String err = new String(server.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(2, server.exitValue());
        assertEquals("chat: CHAT_AUTH is container, which takes names from an application server's login"
                + " (the WAR in Tomcat or Payara); the standalone server has none: use auto", err);
    }

    @Test
    void aMisspelledSettingStopsTheLauncherNamingTheSettingItMeant() throws Exception {
        // a typo must not start an open chat that the operator believes is protected
        Process server = run(Map.of("CHAT_JWT_SECRT", SecurityTokens.SECRET), Path.of("."));
        assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        String err = new String(server.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(2, server.exitValue());
        assertEquals("chat: CHAT_JWT_SECRT is not a setting of the chat (did you mean CHAT_JWT_SECRET?);"
                + " --help (or the README) lists every setting", err);
    }
}

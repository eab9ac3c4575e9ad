package dev.jchat.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * There is no Docker engine on our machines, so the images are checked as text against what the
 * build really produces: every file they copy exists after {@code package}, they run as a user
 * other than root, have a health check that passes on the real server and fails without one, and
 * document every setting.
 */
class DockerFilesIT {

    private static final Path DOCKER = Path.of("docker");
    private static final Pattern COPY_FROM_BUILD = Pattern.compile("(?m)^COPY --from=build (?:--chown=\\S+ )?/src/(\\S+) ");
    private static final Pattern COPY_SOURCE = Pattern.compile("(?m)^COPY (?!--from)(\\S+) ");
    private static final Pattern SETTING = Pattern.compile("\\| `(CHAT_[A-Z_]+)` \\|");

    private static List<Path> dockerfiles() throws IOException {
        try (Stream<Path> files = Files.list(DOCKER)) {
            return files.filter(f -> f.getFileName().toString().endsWith("Dockerfile")).sorted().toList();
        }
    }

    private static List<String> all(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    @Test
    void thereAreTheThreeImages() throws IOException {
        assertEquals(List.of("Dockerfile", "payara.Dockerfile", "standalone.Dockerfile"),
                dockerfiles().stream().map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void everyFileAnImageCopiesExists() throws IOException {
        for (Path dockerfile : dockerfiles()) {
            String text = Files.readString(dockerfile);
            List<String> built = all(COPY_FROM_BUILD, text);
            assertFalse(built.isEmpty(), dockerfile + " copies nothing from the build");
            for (String file : built) {
                assertTrue(Files.isRegularFile(Path.of(file)), dockerfile + " copies " + file + ", which `package` did not make");
            }
            for (String source : all(COPY_SOURCE, text)) {
                assertTrue(Files.exists(Path.of(source)), dockerfile + " copies " + source + ", which is not in the project");
            }
        }
    }

    @Test
    void imagesRunAsAnUnprivilegedUserWithAHealthCheck() throws IOException {
        for (Path dockerfile : dockerfiles()) {
            String text = Files.readString(dockerfile);
            String last = text.substring(text.lastIndexOf("\nFROM "));
            boolean ownUser = last.contains("\nUSER chat") || last.contains("FROM payara/micro"); // that image runs as "payara"
            assertTrue(ownUser, dockerfile + " runs as root");
            assertTrue(last.contains("HEALTHCHECK"), dockerfile + " has no HEALTHCHECK");
            assertTrue(last.contains("EXPOSE 8080"), dockerfile + " does not expose 8080");
        }
    }

    @Test
    void everyDocumentedSettingIsListedInEveryImage() throws IOException {
        List<String> settings = all(SETTING, Files.readString(Path.of("README.md")));
        assertTrue(settings.size() >= 12, "the README's configuration table: " + settings);
        for (Path dockerfile : dockerfiles()) {
            String text = Files.readString(dockerfile);
            for (String setting : settings) {
                boolean launcherOnly = setting.equals("CHAT_HOST") || setting.equals("CHAT_PORT");
                if (launcherOnly && !dockerfile.toString().contains("standalone")) {
                    continue; // the servers' own address and port, not ours
                }
                assertTrue(text.contains(setting), dockerfile + " does not mention " + setting);
            }
        }
    }

    @Test
    void composeBuildsTheImagesThatExist() throws IOException {
        String compose = Files.readString(DOCKER.resolve("compose.yaml"));
        List<String> referenced = all(Pattern.compile("dockerfile: (\\S+)"), compose);
        assertEquals(3, referenced.size());
        for (String dockerfile : referenced) {
            assertTrue(Files.isRegularFile(Path.of(dockerfile)), "compose names " + dockerfile);
        }
        assertTrue(compose.contains("\"8080:8080\""), "the chat on http://localhost:8080/");
    }

    /** The JSON array of an image's HEALTHCHECK CMD, as its words. */
    private static List<String> healthCheck(Path dockerfile) throws IOException {
        Matcher m = Pattern.compile("HEALTHCHECK [^\\n]*\\\\\\n\\s*CMD (\\[.*])").matcher(Files.readString(dockerfile));
        assertTrue(m.find(), dockerfile + " has no HEALTHCHECK ... CMD [...]");
        try (JsonReader reader = Json.createReader(new StringReader(m.group(1)))) {
            return reader.readArray().getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
        }
    }

    @Test
    void everyImagesHealthCheckPassesOnAServerAndFailsWithoutOne() throws Exception {
        try (ServerProcess jar = StandaloneServer.start(Map.of())) {
            int nobody = ServerProcess.freePort();
            for (Path dockerfile : dockerfiles()) {
                List<String> command = healthCheck(dockerfile);
                assertTrue(String.join(" ", command).contains("/health/live"), dockerfile + " checks /health/live");
                assertEquals(0, run(command, jar.port()), () -> dockerfile + "'s check fails on a live server");
                assertTrue(run(command, nobody) != 0, () -> dockerfile + "'s check passes with nobody listening");
            }
        }
    }

    @Test
    void theStandaloneImagesHealthCheckFollowsChatPort() throws Exception {
        // an operator who moves the launcher to another port must not get an unhealthy container
        List<String> command = healthCheck(DOCKER.resolve("standalone.Dockerfile"));
        try (ServerProcess jar = StandaloneServer.start(Map.of())) {
            assertEquals(0, run(command, Map.of("CHAT_PORT", String.valueOf(jar.port()))), "the check dials CHAT_PORT");
            assertTrue(run(command, Map.of("CHAT_PORT", String.valueOf(ServerProcess.freePort()))) != 0,
                    "and fails when nobody listens there");
        }
    }

    /**
     * Runs a health check as the image would, with the port its server really listens on: given as
     * CHAT_PORT to a check that reads it, written into one that names 8080.
     */
    private static int run(List<String> command, int port) throws IOException, InterruptedException {
        if (String.join(" ", command).contains("${CHAT_PORT:-8080}")) {
            return run(command, Map.of("CHAT_PORT", String.valueOf(port)));
        }
        return run(command.stream().map(word -> word.replace("127.0.0.1/8080", "127.0.0.1/" + port)).toList(), Map.of());
    }

    private static int run(List<String> words, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(words).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the check ends");
        return process.exitValue();
    }

    @Test
    void tomcatsImageRunsWithTheBuffersTheTestsUse() throws IOException {
        assertTrue(Files.readString(DOCKER.resolve("Dockerfile")).contains("CATALINA_OPTS=\"" + TomcatServer.WEBSOCKET_BUFFERS),
                "docker/Dockerfile gives Tomcat " + TomcatServer.WEBSOCKET_BUFFERS + ", as TomcatServer does");
        assertTrue(Files.readString(DOCKER.resolve("Dockerfile")).contains(
                        "\nCOPY " + TomcatServer.SERVER_XML + " /usr/local/tomcat/conf/server.xml\n"),
                "docker/Dockerfile gives Tomcat " + TomcatServer.SERVER_XML + ", as TomcatServer does");
    }
}

package dev.jchat.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.stream.JsonParsingException;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code CHAT_LOG_FORMAT=json} on the packaged jar: after a conversation with a claimed name, a
 * refused key, a token, a close by the server and a shutdown, every line it printed is one JSON
 * object, closes carry their code and connection as fields, and no message text, token or key
 * is in any line, with the chat's own loggers at DEBUG.
 */
class JsonLogsIT {

    @Test
    void everyLineIsAJsonObjectWithFieldsAndNothingClientsSaidOrPresented() throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String words = "words-" + unique;
        String key = "key-of-kim-" + unique;
        String wrongKey = "wrong-key-" + unique;
        String token = "token-" + unique;
        Path logging = Files.createTempFile("chat-logging-", ".properties");
        Files.writeString(logging, """
                handlers=java.util.logging.ConsoleHandler
                .level=INFO
                dev.jchat.level=FINE
                java.util.logging.ConsoleHandler.level=FINE
                """);
        List<String> lines;
        try (ServerProcess jar = StandaloneServer.start(Map.of("CHAT_LOG_FORMAT", "json",
                "JAVA_TOOL_OPTIONS", "-Djava.util.logging.config.file=" + logging))) {
            converse(jar.chatUri(), words, key, wrongKey, token);
            jar.close(); // SIGTERM: the shutdown's lines too
            lines = jar.log().lines().filter(line -> !line.startsWith("Picked up JAVA_TOOL_OPTIONS")).toList();
        } finally {
            Files.deleteIfExists(logging);
        }

        List<JsonObject> objects = new ArrayList<>();
        for (String line : lines) {
            try (JsonReader reader = Json.createReader(new StringReader(line))) {
                objects.add(reader.readObject());
            } catch (JsonParsingException e) {
                throw new AssertionError("not a JSON object: " + line, e);
            }
            for (String secret : List.of(words, key, wrongKey, token)) {
                assertFalse(line.contains(secret), () -> "logged what a client said or presented: " + line);
            }
        }
        assertTrue(objects.size() >= 5, () -> "the startup, the conversation and the shutdown: " + lines);
        for (JsonObject object : objects) {
            for (String name : List.of("time", "level", "logger", "message")) {
                assertTrue(object.containsKey(name), () -> name + " missing in " + object);
            }
        }
        assertTrue(objects.stream().anyMatch(o -> o.getString("message").startsWith("Chat server listening")),
                "the address it listens on is a log line too");
        assertTrue(objects.stream().anyMatch(o -> o.containsKey("close_code") && o.getInt("close_code") == 1003
                        && o.containsKey("connection")),
                () -> "the close of Kim's connection, with its code and connection as fields: " + lines);
        assertTrue(objects.stream().anyMatch(o -> o.getString("level").equals("DEBUG")), "the chat's DEBUG lines are in");
    }

    /** A claimed name, a message, a refused key, a token in the query, and a close by the server. */
    private static void converse(URI chat, String words, String key, String wrongKey, String token) {
        try (TestClient kim = TestClient.connect(URI.create(chat + "?user=Kim&room=logs&key=" + key + "&token=" + token))) {
            kim.welcome();
            kim.say(words);
            assertEquals(words, kim.nextChat().getString("msg"));
            try (TestClient impostor = TestClient.connect(URI.create(chat + "?user=Kim&room=logs&key=" + wrongKey))) {
                assertEquals(1008, impostor.skipToClose().code(), "someone else holds that name");
            }
            kim.sendBinary(new byte[] {1});
            assertEquals(1003, kim.skipToClose().code());
        }
    }

    @Test
    void inTomcatTheChatsOwnLinesAreJsonAndTomcatsStayText() throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        List<String> secrets = List.of("words-" + unique, "key-of-kim-" + unique, "wrong-key-" + unique, "token-" + unique);
        List<String> lines;
        try (ServerProcess tomcat = TomcatServer.start(Map.of("CHAT_LOG_FORMAT", "json"))) {
            converse(tomcat.chatUri(), secrets.get(0), secrets.get(1), secrets.get(2), secrets.get(3));
            tomcat.close(); // the undeploy's lines too
            lines = tomcat.log().lines().toList();
        }
        List<String> chatLines = lines.stream().filter(line -> line.contains("dev.jchat")).toList();
        assertTrue(chatLines.stream().anyMatch(line -> line.contains("chat endpoint at")), () -> "the startup line: " + lines);
        for (String line : chatLines) {
            try (JsonReader reader = Json.createReader(new StringReader(line))) {
                assertTrue(reader.readObject().getString("logger").startsWith("dev.jchat"), line);
            } catch (JsonParsingException e) {
                throw new AssertionError("a line of the chat's that is not JSON: " + line, e);
            }
        }
        assertTrue(lines.stream().anyMatch(line -> line.contains("org.apache.catalina") && !line.startsWith("{")),
                "Tomcat's own lines stay as Tomcat writes them");
        assertTrue(chatLines.stream().anyMatch(line -> line.contains("\"close_code\":1003")), () -> "the close: " + chatLines);
        for (String line : lines) {
            for (String secret : secrets) {
                assertFalse(line.contains(secret), () -> "logged what a client said or presented: " + line);
            }
        }
    }
}

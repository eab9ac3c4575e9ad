package dev.jchat.servers;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code target/chat.war} with its container login turned on as the README says: the two marker
 * lines of the shipped {@code WEB-INF/web.xml} deleted, nothing else of it changed.
 */
final class LoginWar {

    static final String BEGIN = "CONTAINER-LOGIN-BEGIN";
    static final String END = "CONTAINER-LOGIN-END";

    private LoginWar() {
    }

    /** A copy of the WAR in {@code dir} with the login on, and {@code extra} files (path in the WAR to content) added. */
    static Path make(Path dir, Map<String, String> extra) throws IOException {
        Path war = Files.createDirectories(dir).resolve("chat-login.war");
        Files.copy(ServerProcess.WAR, war, StandardCopyOption.REPLACE_EXISTING);
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + war.toUri()), Map.of())) {
            Path webXml = zip.getPath("/WEB-INF/web.xml");
            String shipped = Files.readString(webXml);
            String on = shipped.lines().filter(line -> !marker(line)).collect(Collectors.joining("\n", "", "\n"));
            if (shipped.lines().filter(LoginWar::marker).count() != 2) {
                throw new AssertionError("the WAR's web.xml has no commented-out login between " + BEGIN + " and " + END);
            }
            Files.writeString(webXml, on);
            for (Map.Entry<String, String> file : extra.entrySet()) {
                Path path = zip.getPath(file.getKey());
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue());
            }
        }
        return war;
    }

    /** The line that opens the commented-out block, or the one that closes it. */
    private static boolean marker(String line) {
        return line.strip().startsWith("<!-- " + BEGIN) || line.strip().startsWith(END) && line.strip().endsWith("-->");
    }

    /** The {@code Authorization} header's value for BASIC login. */
    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}

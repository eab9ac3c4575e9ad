package dev.jchat.servers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Container login in Payara Micro 6: its file realm ({@code file}, the default for a WAR without
 * a realm name of its own), the users made by {@code create-file-user} in a post-boot command
 * file (their passwords in password files); the group {@code moderator} is the role {@code moderator} by Payara's default
 * principal-to-role mapping, so the WAR needs no {@code payara-web.xml}.
 */
class PayaraContainerLoginIT extends ContainerLoginContract {

    private static ServerProcess payara;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createDirectories(ServerProcess.WORK.resolve("payara-login-" + ServerProcess.freePort()))
                .toAbsolutePath();
        Path war = LoginWar.make(dir, Map.of());
        payara = PayaraServer.start(Map.of(), SETTINGS, war, List.of(
                createFileUser(dir, "alice", ""),
                createFileUser(dir, "boss", "--groups=moderator "),
                createFileUser(dir, "no", "")),
                LoginWar.basic("alice", PASSWORDS.get("alice")));
    }

    /** A boot command adding {@code user}: asadmin takes no password on its command line, only from a file. */
    private static String createFileUser(Path dir, String user, String options) throws IOException {
        Path passwordFile = dir.resolve(user + ".password");
        Files.writeString(passwordFile, "AS_ADMIN_USERPASSWORD=" + PASSWORDS.get(user) + "\n");
        return "create-file-user " + options + "--passwordfile=" + passwordFile + " " + user;
    }

    @AfterAll
    static void stop() {
        if (payara != null) {
            payara.close();
        }
    }

    @Override
    protected ServerProcess server() {
        return payara;
    }
}

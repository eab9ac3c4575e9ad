package dev.jchat.servers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Container login in Tomcat 10.1: a {@code MemoryRealm} reading a {@code tomcat-users.xml} file,
 * set in the test WAR's {@code META-INF/context.xml} (in server.xml it works the same).
 */
public class TomcatContainerLoginIT extends ContainerLoginContract {

    private static ServerProcess tomcat;

    @BeforeAll
    static void start() throws Exception {
        tomcat = withLogin(SETTINGS, PASSWORDS, "boss");
    }

    /**
     * Tomcat 10.1 serving the WAR with its login on: a {@code MemoryRealm} with these users (name to
     * password), {@code moderator} among their roles; it is ready once the page answers alice.
     */
    public static ServerProcess withLogin(Map<String, String> settings, Map<String, String> passwords, String moderator)
            throws Exception {
        Path dir = Files.createDirectories(ServerProcess.WORK.resolve("tomcat-login-" + ServerProcess.freePort()))
                .toAbsolutePath();
        Path users = dir.resolve("tomcat-users.xml");
        StringBuilder xml = new StringBuilder("<tomcat-users>\n  <role rolename=\"moderator\"/>\n");
        passwords.forEach((user, password) -> xml.append("  <user username=\"").append(user).append("\" password=\"")
                .append(password).append("\" roles=\"").append(user.equals(moderator) ? "moderator" : "").append("\"/>\n"));
        Files.writeString(users, xml.append("</tomcat-users>\n"));
        Path war = LoginWar.make(dir, Map.of("/META-INF/context.xml", """
                <Context>
                  <Realm className="org.apache.catalina.realm.MemoryRealm" pathname="%s"/>
                </Context>
                """.formatted(users)));
        return TomcatServer.start(settings, war, LoginWar.basic("alice", passwords.get("alice")));
    }

    @AfterAll
    static void stop() {
        if (tomcat != null) {
            tomcat.close();
        }
    }

    @Override
    protected ServerProcess server() {
        return tomcat;
    }

    /**
     * Without the login turned on (the WAR as shipped), no handshake brings a user: the endpoint
     * refuses every one itself, with {@code unauthorized} and 1008.
     */
    @Test
    void withTheLoginStillOffEveryHandshakeIsRefusedAsUnauthorized() throws Exception {
        try (ServerProcess plain = TomcatServer.start(SETTINGS);
             TestClient anyone = TestClient.connect(plain.chatUri().resolve("chat?room=hall&user=alice"))) {
            JsonObject error = anyone.expectError("unauthorized");
            assertTrue(error.getString("msg").contains("sign in"), error::toString);
            anyone.expectClose(1008);
        }
    }
}

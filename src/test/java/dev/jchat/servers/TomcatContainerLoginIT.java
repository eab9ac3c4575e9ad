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
class TomcatContainerLoginIT extends ContainerLoginContract {

    private static ServerProcess tomcat;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createDirectories(ServerProcess.WORK.resolve("tomcat-login-" + ServerProcess.freePort()))
                .toAbsolutePath();
        Path users = dir.resolve("tomcat-users.xml");
        Files.writeString(users, """
                <tomcat-users>
                  <role rolename="moderator"/>
                  <user username="alice" password="%s" roles=""/>
                  <user username="boss" password="%s" roles="moderator"/>
                  <user username="no" password="%s" roles=""/>
                </tomcat-users>
                """.formatted(PASSWORDS.get("alice"), PASSWORDS.get("boss"), PASSWORDS.get("no")));
        Path war = LoginWar.make(dir, Map.of("/META-INF/context.xml", """
                <Context>
                  <Realm className="org.apache.catalina.realm.MemoryRealm" pathname="%s"/>
                </Context>
                """.formatted(users)));
        tomcat = TomcatServer.start(SETTINGS, war, LoginWar.basic("alice", PASSWORDS.get("alice")));
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

package dev.jchat.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The WAR reads its settings as the launcher does, and a setting it cannot use fails its deployment. */
class TomcatSettingsIT {

    @Test
    void aMisspelledSettingFailsTheDeploymentNamingTheSettingItMeant() throws Exception {
        String secret = "a-secret-of-at-least-thirty-two-bytes-for-hs256";
        try (ServerProcess tomcat = TomcatServer.launch(Map.of("CHAT_JWT_SECRT", secret))) {
            String expected = "CHAT_JWT_SECRT is not a setting of the chat (did you mean CHAT_JWT_SECRET?)";
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!tomcat.log().contains("Server startup in") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            String log = tomcat.log();
            assertTrue(log.contains(expected), "the deployment's failure names the setting: " + log);
            assertFalse(log.contains(secret), "the value, a secret perhaps, is never echoed");
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            int status = http.send(HttpRequest.newBuilder(tomcat.pageUri()).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            assertEquals(404, status, "no open chat is served: the application did not start");
        }
    }
}

package dev.jchat.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.TestClient;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code CHAT_AUTH=container} in a real application server: the WAR's own login turned on (see
 * {@link LoginWar}), BASIC, with a realm of three users: {@code alice}, {@code boss} in the role
 * {@code moderator}, and {@code no}, whose name is too short for the chat. Subclasses start one
 * server for all the tests.
 */
abstract class ContainerLoginContract {

    static final Map<String, String> PASSWORDS = Map.of("alice", "alice-secret-1", "boss", "boss-secret-1",
            "no", "no-secret-1");
    static final String API_KEY = "an-api-key-of-the-application-around-the-chat";
    static final Map<String, String> SETTINGS = Map.of("CHAT_AUTH", "container", "CHAT_API_KEY", API_KEY);

    protected abstract ServerProcess server();

    private URI chat(String query) {
        return URI.create(server().chatUri() + "?" + query);
    }

    private static Map<String, String> login(String user) {
        return Map.of("Authorization", LoginWar.basic(user, PASSWORDS.get(user)));
    }

    private TestClient as(String user, String query) {
        return TestClient.connect(chat(query), login(user));
    }

    private int status(URI uri, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        headers.forEach(request::header);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void theNameIsTheSignedInUserWhateverTheQuerySays() {
        try (TestClient alice = as("alice", "room=hall&v=3&user=mallory")) {
            JsonObject welcome = alice.welcome();
            assertEquals("alice", welcome.getString("user"), welcome::toString);
            assertFalse(welcome.containsKey("moderator"), welcome::toString);
            alice.say("hello");
            assertEquals("alice", alice.nextChat().getString("user"));
            alice.send("{\"type\":\"auth\",\"token\":\"a.b.c\"}");
            assertEquals("unauthorized", alice.skipTo("error").getString("code"), "no token replaces the login's user");
            alice.say("still me");
            assertEquals("alice", alice.nextChat().getString("user"));
        }
    }

    /** The server's login answers an anonymous handshake itself, before the endpoint: HTTP 401. */
    @Test
    void anAnonymousHandshakeOrAWrongPasswordIsRefusedWith401() throws Exception {
        assertEquals(401, TestClient.refusedStatus(chat("room=hall&user=alice"), Map.of()));
        assertEquals(401, TestClient.refusedStatus(chat("room=hall&user=alice"),
                Map.of("Authorization", LoginWar.basic("alice", "not-her-password"))));
        assertEquals(401, status(server().pageUri(), Map.of()), "the page too needs the login");
        assertEquals(200, status(server().pageUri(), login("alice")));
        assertEquals(200, status(server().pageUri().resolve("health/live"), Map.of()), "health checks stay open");
    }

    /** The HTTP API has its own key: the server's login (BASIC) stays out of its way. */
    @Test
    void theHttpApiAnswersItsOwnKeyNotTheLogin() throws Exception {
        URI rooms = server().pageUri().resolve("api/rooms");
        assertEquals(200, status(rooms, Map.of("Authorization", "Bearer " + API_KEY)));
        assertEquals(401, status(rooms, login("alice")), "a login is no API key");
    }

    @Test
    void aUserWhoseNameIsNoChatNameIsRefusedAsUnauthorized() {
        try (TestClient no = as("no", "room=hall&v=3")) {
            JsonObject error = no.expectError("unauthorized");
            assertTrue(error.getString("msg").contains("no chat name"), error::toString);
            no.expectClose(1008);
        }
    }

    @Test
    void theModeratorRoleMakesAModeratorWhoseBanHolds() {
        String room = "banroom";
        try (TestClient boss = as("boss", "room=" + room + "&v=3"); TestClient alice = as("alice", "room=" + room + "&v=3")) {
            JsonObject welcome = boss.welcome();
            assertEquals("boss", welcome.getString("user"));
            assertTrue(welcome.getBoolean("moderator", false), welcome::toString);
            assertFalse(alice.welcome().containsKey("moderator"));
            boss.send("{\"type\":\"ban\",\"room\":\"" + room + "\",\"user\":\"alice\",\"seconds\":3600,\"reason\":\"spam\"}");
            JsonObject banned = alice.skipTo("error");
            assertEquals("banned", banned.getString("code"), banned::toString);
            try (TestClient again = as("alice", "room=" + room)) {
                again.expectError("banned");
                again.expectClose(1008);
            }
        }
    }

}

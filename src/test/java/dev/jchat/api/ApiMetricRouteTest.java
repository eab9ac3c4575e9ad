package dev.jchat.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The API's calls are counted by their route's shape: a room's, a name's or an id's own text never becomes a label. */
class ApiMetricRouteTest {

    private static String route(String method, String path) {
        return ApiAnswers.metricRoute(new ApiAnswers.Request(method, path, null, null, new byte[0]));
    }

    @Test
    void everyCallIsCountedByItsShape() {
        assertEquals("GET /api/rooms", route("GET", "/api/rooms"));
        assertEquals("POST /api/rooms/{room}/messages", route("POST", "/api/rooms/secret-room/messages"));
        assertEquals("GET /api/rooms/{room}/messages", route("GET", "/api/rooms/secret-room/messages"));
        assertEquals("GET /api/rooms/{room}/presence", route("GET", "/api/rooms/secret-room/presence"));
        assertEquals("POST /api/rooms/{room}/moderation", route("POST", "/api/rooms/secret-room/moderation"));
        assertEquals("DELETE /api/rooms/{room}/messages/{id}", route("DELETE", "/api/rooms/secret-room/messages/42"));
        assertEquals("POST /api/users/{name}/disconnect", route("POST", "/api/users/secret-name/disconnect"));
    }

    @Test
    void whatIsNoRouteIsOtherAndAnOddMethodIsOTHER() {
        assertEquals("other", route("GET", "/api/secret-thing"));
        assertEquals("other", route("GET", "/api"));
        assertEquals("other", route("GET", "/api/rooms/secret-room/secret-word"));
        assertEquals("OTHER /api/rooms", route("SECRET", "/api/rooms"));
    }
}

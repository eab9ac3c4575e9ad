package dev.jchat.endpoint;

import dev.jchat.ChatHub;
import jakarta.websocket.WebSocketContainer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which hub serves which WebSocket container. Containers create endpoint instances themselves,
 * with no way to pass them anything, but every session knows its container: so one launcher or
 * web application binds its hub to its container, and each endpoint looks it up on open.
 * Several servers can run in one JVM. Thread-safe.
 */
public final class Hubs {

    private static final Map<WebSocketContainer, ChatHub> HUBS = new ConcurrentHashMap<>();

    private Hubs() {
    }

    /** Serves the container's chat sessions with this hub. */
    public static void bind(WebSocketContainer container, ChatHub hub) {
        if (HUBS.putIfAbsent(container, hub) != null) {
            throw new IllegalStateException("this container already has a chat hub");
        }
    }

    /** Forgets the container's hub; returns it, or null. */
    public static ChatHub unbind(WebSocketContainer container) {
        return HUBS.remove(container);
    }

    /** The container's hub, or null. */
    public static ChatHub bound(WebSocketContainer container) {
        return HUBS.get(container);
    }

    static ChatHub of(WebSocketContainer container) {
        ChatHub hub = bound(container);
        if (hub == null) {
            throw new IllegalStateException("no chat hub is bound to this container: call Hubs.bind first");
        }
        return hub;
    }
}

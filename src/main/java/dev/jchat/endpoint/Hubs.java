package dev.jchat.endpoint;

import dev.jchat.ChatHub;
import dev.jchat.config.ChatConfig;
import jakarta.websocket.WebSocketContainer;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
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

    /**
     * The moderator roles ({@code CHAT_MODERATOR_ROLE}) of the hubs that take their names from the
     * application server's login ({@code CHAT_AUTH=container}): what a handshake asks the server
     * about its user, since {@link ChatConfigurator} cannot tell which hub a handshake is for.
     * Usually one role, or none.
     */
    static Set<String> containerRoles() {
        return HUBS.values().stream().map(hub -> hub.config().security())
                .filter(security -> security.auth() == ChatConfig.Auth.CONTAINER)
                .map(ChatConfig.Security::moderatorRole).collect(Collectors.toUnmodifiableSet());
    }

    static ChatHub of(WebSocketContainer container) {
        ChatHub hub = bound(container);
        if (hub == null) {
            throw new IllegalStateException("no chat hub is bound to this container: call Hubs.bind first");
        }
        return hub;
    }
}

package dev.jchat.endpoint;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Handshake hook of {@link ChatEndpoint}. Stateless and thread-safe; containers create it from
 * the annotation, so it takes nothing in its constructor. Both Tomcat and Tyrus hand
 * {@code modifyHandshake} a configuration whose user properties belong to this one connection;
 * they reach {@code @OnOpen}, where the checks that need the server's configuration run.
 */
public final class ChatConfigurator extends ServerEndpointConfig.Configurator {

    /** The subprotocol a client names beside its token or key: {@code chat.v1, <token>} or {@code chat.v1, key.<KEY>}. */
    public static final String PROTOCOL = "chat.v1";

    static final String ORIGIN = "dev.jchat.origin";
    static final String HOST = "dev.jchat.host";
    static final String PROTOCOL_TOKEN = "dev.jchat.protocolToken";
    static final String PROTOCOL_KEY = "dev.jchat.protocolKey";
    /** The name of the user the application server authenticated for the handshake, if any. */
    static final String USER = "dev.jchat.user";
    /** Which of the container-auth hubs' moderator roles that user holds: a {@code Set<String>}. */
    static final String USER_ROLES = "dev.jchat.userRoles";
    /** How a name's key is offered as a subprotocol, beside {@code chat.v1}: {@code key.<KEY>}. */
    static final String KEY_PREFIX = "key.";

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        Map<String, Object> connection = config.getUserProperties();
        putIfPresent(connection, ORIGIN, header(request, "Origin"));
        putIfPresent(connection, HOST, header(request, "Host"));
        List<String> offered = offered(request);
        putIfPresent(connection, PROTOCOL_TOKEN, tokenOf(offered));
        putIfPresent(connection, PROTOCOL_KEY, keyOf(offered));
        // The request is gone by @OnOpen (Tomcat recycles it), so the roles are asked for now.
        Principal user = request.getUserPrincipal();
        putIfPresent(connection, USER, user == null ? null : user.getName());
        connection.put(USER_ROLES, user == null ? Set.of()
                : Hubs.containerRoles().stream().filter(request::isUserInRole).collect(Collectors.toUnmodifiableSet()));
    }

    /**
     * Selects {@code chat.v1} when offered, so a token beside it is never echoed; a lone offer is
     * the token itself (as one tutorial sends it), and browsers drop a connection whose server
     * selects none of their offers.
     */
    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
        if (requested.contains(PROTOCOL)) {
            return PROTOCOL;
        }
        // a lone token is echoed (one tutorial sends it so), a name's key never is
        return requested.size() == 1 && !requested.get(0).startsWith(KEY_PREFIX) ? requested.get(0) : "";
    }

    private static List<String> offered(HandshakeRequest request) {
        List<String> offered = new ArrayList<>();
        for (String value : headers(request, "Sec-WebSocket-Protocol")) {
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    offered.add(item.strip());
                }
            }
        }
        return offered;
    }

    private static String tokenOf(List<String> offered) {
        List<String> others = offered.stream().filter(p -> !p.equals(PROTOCOL) && !p.startsWith(KEY_PREFIX)).toList();
        return others.size() == 1 ? others.get(0) : null;
    }

    private static String keyOf(List<String> offered) {
        List<String> keys = offered.stream().filter(p -> p.startsWith(KEY_PREFIX)).toList();
        String key = keys.size() == 1 ? keys.get(0).substring(KEY_PREFIX.length()) : "";
        return key.isEmpty() ? null : key; // "key." alone is no key, as an empty ?key= is none
    }

    private static String header(HandshakeRequest request, String name) {
        List<String> values = headers(request, name);
        return values.isEmpty() ? null : values.get(0);
    }

    // Header names are case-insensitive; containers differ in the case of the map's keys.
    private static List<String> headers(HandshakeRequest request, String name) {
        for (Map.Entry<String, List<String>> entry : request.getHeaders().entrySet()) {
            if (entry.getKey() != null && entry.getKey().equalsIgnoreCase(name) && entry.getValue() != null) {
                return entry.getValue();
            }
        }
        return List.of();
    }

    private static void putIfPresent(Map<String, Object> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        } else {
            map.remove(key);
        }
    }
}

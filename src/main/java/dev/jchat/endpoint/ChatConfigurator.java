package dev.jchat.endpoint;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * Handshake hook of {@link ChatEndpoint}. Stateless and thread-safe; containers create it from
 * the annotation, so it takes nothing in its constructor. Both Tomcat and Tyrus hand
 * {@code modifyHandshake} a configuration whose user properties belong to this one connection;
 * they reach {@code @OnOpen}, where the checks that need the server's configuration run.
 */
public final class ChatConfigurator extends ServerEndpointConfig.Configurator {

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        super.modifyHandshake(config, request, response);
    }
}

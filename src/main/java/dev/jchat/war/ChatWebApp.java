package dev.jchat.war;

import dev.jchat.Engines;
import dev.jchat.config.ChatConfig;
import dev.jchat.endpoint.ChatEndpoint;
import dev.jchat.endpoint.Hubs;
import dev.jchat.logging.LogSetup;
import dev.jchat.ChatHub;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * The chat as a web application (Tomcat, Payara): reads the configuration from the environment,
 * registers the endpoint with one hub, and closes every connection with 1001 on undeploy.
 */
@WebListener
public final class ChatWebApp implements ServletContextListener {

    private static final System.Logger LOG = System.getLogger(ChatWebApp.class.getName());

    private volatile Runnable undoLogs = () -> { };
    private volatile WarConnections connections;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        ChatConfig config = ChatConfig.fromEnvironment(); // a bad value fails the deployment, with its name
        if (config.logFormat() == ChatConfig.LogFormat.JSON) {
            undoLogs = LogSetup.jsonForTheChat();
        }
        // Tomcat drops a stalled connection itself once its close frame cannot be written within 50 ms
        // (any close code but 1000); Payara's Tyrus closes its web connection without queueing.
        WarConnections mine = new WarConnections();
        connections = mine;
        ChatHub hub = Engines.hub(config, mine);
        ServerContainer container = (ServerContainer) context.getAttribute(ServerContainer.class.getName());
        if (container == null) {
            throw new IllegalStateException("this server offers no Jakarta WebSocket container");
        }
        try {
            ChatEndpoint.deploy(container, hub);
        } catch (DeploymentException e) {
            throw new IllegalStateException("cannot register the chat endpoint", e);
        }
        LOG.log(Level.INFO, "chat endpoint at {0}/chat with\n{1}", context.getContextPath(), config.describe());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        Object container = event.getServletContext().getAttribute(ServerContainer.class.getName());
        if (container instanceof ServerContainer serverContainer) {
            ChatHub hub = Hubs.bound(serverContainer);
            if (hub != null) {
                // still bound while it drains, so that a late handshake is told 1001, not "misconfigured"
                hub.shutdown(Duration.ofSeconds(3));
                Hubs.unbind(serverContainer);
            }
        }
        WarConnections mine = connections;
        if (mine != null) {
            mine.close(); // its timer thread stops with the application
        }
        undoLogs.run(); // nothing of this application stays attached to the server's loggers
    }
}

package dev.jchat.war;

import dev.jchat.endpoint.Hubs;
import dev.jchat.ops.OpsAnswers;
import dev.jchat.ops.PageConfig;
import dev.jchat.ChatHub;
import jakarta.servlet.ServletContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.server.ServerContainer;
import java.io.IOException;

/**
 * Serves {@link OpsAnswers} in the web application: {@code /metrics}, {@code /health/*} and the page's
 * config below its context path.
 */
@WebServlet(urlPatterns = {OpsAnswers.METRICS, OpsAnswers.LIVE, OpsAnswers.READY, PageConfig.PATH})
public final class OpsServlet extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ChatHub hub = hub(getServletContext());
        if (hub == null) {
            response.sendError(503, "the chat is not deployed");
            return;
        }
        OpsAnswers.Answer answer = OpsAnswers.get(hub, request.getServletPath(), request.getHeader("Authorization"));
        byte[] body = answer.bytes();
        response.setStatus(answer.status());
        answer.allHeaders().forEach(response::setHeader);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** The application's hub, or null when the chat is not deployed (yet, or any more). */
    static ChatHub hub(ServletContext context) {
        Object container = context.getAttribute(ServerContainer.class.getName());
        return container instanceof ServerContainer serverContainer ? Hubs.bound(serverContainer) : null;
    }
}

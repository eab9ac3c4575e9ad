package dev.jchat.launcher;

import dev.jchat.ops.OpsAnswers;
import dev.jchat.ops.PageConfig;
import dev.jchat.ChatHub;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/** Serves {@link OpsAnswers} on the launcher's port: {@code /metrics}, {@code /health/*} and the page's config. */
final class OpsHandler extends HttpHandler {

    static final String[] PATHS = {OpsAnswers.METRICS, OpsAnswers.LIVE, OpsAnswers.READY, PageConfig.PATH};

    private final ChatHub hub;

    OpsHandler(ChatHub hub) {
        this.hub = hub;
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        if (request.getMethod() != Method.GET && request.getMethod() != Method.HEAD) {
            response.setStatus(405);
            response.setHeader("Allow", "GET, HEAD");
            return;
        }
        OpsAnswers.Answer answer = OpsAnswers.get(hub, request.getRequestURI(), request.getHeader("Authorization"));
        if (answer == null) {
            response.sendError(404);
            return;
        }
        byte[] body = answer.bytes();
        response.setStatus(answer.status());
        answer.allHeaders().forEach(response::setHeader);
        response.setContentLength(body.length);
        if (request.getMethod() == Method.GET) {
            response.getOutputStream().write(body);
        }
    }
}

package dev.jchat.launcher;

import dev.jchat.ChatHub;
import dev.jchat.api.ApiAnswers;
import dev.jchat.api.ApiBodies;
import dev.jchat.ops.OpsAnswers;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/** Carries {@link ApiAnswers} over the launcher's port: {@code /api/...} ({@link PageHandler} hands them here). */
final class ApiHandler {

    private final ChatHub hub;

    ApiHandler(ChatHub hub) {
        this.hub = hub;
    }

    /** @param path the request's path, percent-decoded, without its query */
    void service(String path, Request request, Response response) throws Exception {
        OpsAnswers.Answer answer = ApiAnswers.answer(hub, new ApiAnswers.Request(request.getMethod().getMethodString(),
                path, request.getQueryString(), request.getHeader("Authorization"),
                ApiBodies.read(request.getInputStream())));
        byte[] body = answer.bytes();
        response.setStatus(answer.status());
        answer.allHeaders().forEach(response::setHeader);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}

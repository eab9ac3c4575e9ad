package dev.jchat.launcher;

import dev.jchat.ChatHub;
import dev.jchat.api.ApiAnswers;
import dev.jchat.api.ApiBodies;
import dev.jchat.ops.OpsAnswers;
import java.io.IOException;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * Carries {@link ApiAnswers} over the launcher's port: {@code /api/...} ({@link PageHandler} hands them
 * here). Its body comes with its head ({@code FrameLimit} splits only a handshake's read), so that
 * reading it on this worker thread finds it.
 */
final class ApiHandler {

    private final ChatHub hub;

    ApiHandler(ChatHub hub) {
        this.hub = hub;
    }

    /** @param path the request's path, percent-decoded, without its query */
    void service(String path, Request request, Response response) throws IOException {
        OpsAnswers.Answer answer = ApiAnswers.answer(hub, new ApiAnswers.Request(request.getMethod().getMethodString(),
                path, request.getQueryString(), request.getHeader("Authorization"),
                ApiBodies.read(request.getInputStream(), request.getContentLengthLong(),
                        ApiBodies.chunked(request.getHeader("Transfer-Encoding")))));
        byte[] body = answer.bytes();
        response.setStatus(answer.status());
        answer.allHeaders().forEach(response::setHeader);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}

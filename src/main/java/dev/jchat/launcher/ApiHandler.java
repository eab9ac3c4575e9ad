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
 * reading it on this worker thread finds it. The response is suspended meanwhile and written when
 * the engine has answered, on the thread that completed it: no worker thread waits for Redis or
 * the publish hook.
 */
final class ApiHandler {

    private static final System.Logger LOG = System.getLogger(ApiHandler.class.getName());

    private final ChatHub hub;

    ApiHandler(ChatHub hub) {
        this.hub = hub;
    }

    /** @param path the request's path, percent-decoded, without its query */
    void service(String path, Request request, Response response) throws IOException {
        ApiAnswers.Request asked = new ApiAnswers.Request(request.getMethod().getMethodString(),
                path, request.getQueryString(), request.getHeader("Authorization"),
                ApiBodies.read(request.getInputStream(), request.getContentLengthLong(),
                        ApiBodies.chunked(request.getHeader("Transfer-Encoding"))));
        response.suspend();
        ApiAnswers.answer(hub, asked).whenComplete((answer, error) -> {
            try {
                if (error != null) { // not one of the API's: ApiAnswers turns every failure into an answer
                    LOG.log(System.Logger.Level.ERROR, "an API request had no answer", error);
                    response.sendError(500);
                } else {
                    byte[] body = answer.bytes();
                    response.setStatus(answer.status());
                    answer.allHeaders().forEach(response::setHeader);
                    response.setContentLength(body.length);
                    response.getOutputStream().write(body);
                }
            } catch (IOException | IllegalStateException e) {
                LOG.log(System.Logger.Level.DEBUG, "an API answer was not written: {0}", e.toString()); // the client left
            } finally {
                response.resume();
            }
        });
    }
}

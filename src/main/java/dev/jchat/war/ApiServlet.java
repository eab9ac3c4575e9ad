package dev.jchat.war;

import dev.jchat.ChatHub;
import dev.jchat.api.ApiAnswers;
import dev.jchat.api.ApiBodies;
import dev.jchat.ops.OpsAnswers;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Carries {@link ApiAnswers} in the web application: {@code /api/...} below its context path. The
 * request is asynchronous: the container's thread reads the body and returns; the answer is
 * written when the engine has given it, on the thread that completed it.
 */
@WebServlet(urlPatterns = ApiAnswers.PREFIX + "/*", asyncSupported = true)
public final class ApiServlet extends HttpServlet {

    private static final System.Logger LOG = System.getLogger(ApiServlet.class.getName());

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ChatHub hub = OpsServlet.hub(getServletContext());
        if (hub == null) {
            response.sendError(503, "the chat is not deployed");
            return;
        }
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        ApiAnswers.Request asked = new ApiAnswers.Request(request.getMethod(), path,
                request.getQueryString(), request.getHeader("Authorization"), ApiBodies.read(request.getInputStream(),
                request.getContentLengthLong(), ApiBodies.chunked(request.getHeader("Transfer-Encoding"))));
        AsyncContext async = request.startAsync();
        async.setTimeout(0); // ApiAnswers answers within its own bound
        ApiAnswers.answer(hub, asked).whenComplete((answer, error) -> {
            try {
                if (error != null) { // not one of the API's: ApiAnswers turns every failure into an answer
                    LOG.log(System.Logger.Level.ERROR, "an API request had no answer", error);
                    ((HttpServletResponse) async.getResponse()).sendError(500);
                } else {
                    write(answer, (HttpServletResponse) async.getResponse());
                }
            } catch (IOException | IllegalStateException e) {
                LOG.log(System.Logger.Level.DEBUG, "an API answer was not written: {0}", e.toString()); // the client left
            } finally {
                async.complete();
            }
        });
    }

    private static void write(OpsAnswers.Answer answer, HttpServletResponse response) throws IOException {
        byte[] body = answer.bytes();
        response.setStatus(answer.status());
        answer.allHeaders().forEach(response::setHeader);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}

package dev.jchat.war;

import dev.jchat.ChatHub;
import dev.jchat.api.ApiAnswers;
import dev.jchat.api.ApiBodies;
import dev.jchat.ops.OpsAnswers;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Carries {@link ApiAnswers} in the web application: {@code /api/...} below its context path. */
@WebServlet(urlPatterns = ApiAnswers.PREFIX + "/*")
public final class ApiServlet extends HttpServlet {

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ChatHub hub = OpsServlet.hub(getServletContext());
        if (hub == null) {
            response.sendError(503, "the chat is not deployed");
            return;
        }
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        OpsAnswers.Answer answer = ApiAnswers.answer(hub, new ApiAnswers.Request(request.getMethod(), path,
                request.getQueryString(), request.getHeader("Authorization"), ApiBodies.read(request.getInputStream(),
                request.getContentLengthLong(), ApiBodies.chunked(request.getHeader("Transfer-Encoding")))));
        byte[] body = answer.bytes();
        response.setStatus(answer.status());
        answer.allHeaders().forEach(response::setHeader);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}

package dev.jchat.war;

import dev.jchat.ChatHub;
import dev.jchat.ops.PageConfig;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Serves the page's {@code index.html} at the context root ({@code ""}) and by its name, through
 * {@link PageConfig#index}, as the launcher does; its other files stay with the server's own static
 * handling. Thread-safe: it keeps nothing.
 */
@WebServlet(urlPatterns = {"", PageConfig.INDEX})
public final class PageServlet extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ChatHub hub = OpsServlet.hub(getServletContext());
        if (hub == null) {
            response.sendError(503, "the chat is not deployed");
            return;
        }
        String html;
        try (InputStream file = getServletContext().getResourceAsStream(PageConfig.INDEX)) {
            if (file == null) {
                response.sendError(404);
                return;
            }
            html = new String(file.readAllBytes(), StandardCharsets.UTF_8);
        }
        byte[] body = PageConfig.index(html, hub.config().security()).getBytes(StandardCharsets.UTF_8);
        response.setContentType("text/html;charset=UTF-8");
        response.setHeader("Cache-Control", "no-cache"); // it follows the settings, which a redeploy may change
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}

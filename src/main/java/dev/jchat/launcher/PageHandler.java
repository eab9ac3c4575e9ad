package dev.jchat.launcher;

import dev.jchat.api.ApiAnswers;
import dev.jchat.config.ChatConfig;
import dev.jchat.ops.PageConfig;
import java.io.File;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.http.server.StaticHttpHandler;
import org.glassfish.grizzly.http.util.HttpStatus;

/**
 * Everything the launcher answers over plain HTTP: the HTTP API ({@link ApiHandler}, any method),
 * the operator's paths ({@link OpsHandler}) and the page's files, with {@code HEAD} answered as health checks and proxies send it. It is the
 * server's only handler, so that no path reaches Grizzly's handler chain, which answered paths
 * that climb out of the root or hold bad escapes ({@code /../x}, {@code /%2e%2e/x}, {@code /%ZZ})
 * with 500: here they get 400 (not a well-formed path) or 404 (no such file). The page itself
 * ({@code /}, {@code /index.html}) goes through {@link PageConfig#index}, as in a WAR. Thread-safe, as its
 * parent.
 */
final class PageHandler extends StaticHttpHandler {

    private final File folder;
    private final HttpHandler ops;
    private final ApiHandler api;
    private final ChatConfig.Security security;

    PageHandler(String folder, HttpHandler ops, ApiHandler api, ChatConfig.Security security) {
        super(folder);
        this.folder = new File(folder);
        this.ops = ops;
        this.api = api;
        this.security = security;
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        Method method = request.getMethod();
        String path = decoded(request.getRequest().getRequestURIRef().getOriginalRequestURIBC().toString());
        if (path != null && ApiAnswers.isApi(path)) {
            api.service(path, request, response); // every method: the API answers those it does not take itself
            return;
        }
        if (!Method.GET.equals(method) && !Method.HEAD.equals(method)) {
            response.setHeader("Allow", "GET, HEAD");
            response.sendError(HttpStatus.METHOD_NOT_ALLOWED_405.getStatusCode());
            return;
        }
        if (path == null) {
            response.sendError(HttpStatus.BAD_REQUEST_400.getStatusCode());
            return;
        }
        if (Arrays.asList(OpsHandler.PATHS).contains(path)) {
            ops.service(request, response);
            return;
        }
        File file = servable(path) ? new File(folder, path.endsWith("/") ? path + "index.html" : path) : null;
        if (file == null || !file.isFile()) {
            response.sendError(HttpStatus.NOT_FOUND_404.getStatusCode());
        } else if (path.equals("/") || path.equals(PageConfig.INDEX)) {
            byte[] body = PageConfig.index(Files.readString(file.toPath()), security).getBytes(StandardCharsets.UTF_8);
            response.setContentType("text/html;charset=UTF-8");
            response.setHeader("Cache-Control", "no-cache"); // it follows the settings, which a restart may change
            response.setContentLength(body.length);
            if (Method.GET.equals(method)) {
                response.getOutputStream().write(body);
            }
        } else if (Method.HEAD.equals(method)) {
            // the headers a GET would have, without the body (Grizzly's own handler answers HEAD with 405)
            pickupContentType(response, file.getPath());
            addCachingHeaders(response, file);
            response.setContentLengthLong(file.length());
        } else if (!handle(path, request, response)) {
            onMissingResource(request, response);
        }
    }

    /** The path percent-decoded as UTF-8, or null when it is not well formed. */
    static String decoded(String raw) {
        int query = raw.indexOf('?');
        String path = query < 0 ? raw : raw.substring(0, query);
        ByteBuffer bytes = ByteBuffer.allocate(path.length() * 3);
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%') {
                if (i + 2 >= path.length()) {
                    return null;
                }
                int high = Character.digit(path.charAt(i + 1), 16);
                int low = Character.digit(path.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return null;
                }
                bytes.put((byte) (high * 16 + low));
                i += 2;
            } else if (c < 0x80) {
                bytes.put((byte) c);
            } else {
                return null; // a request line is ASCII
            }
        }
        bytes.flip();
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Whether the page could hold this file: an absolute path of plain segments, no {@code ..} or
     * {@code .}, no control character, no backslash, no empty segment but a closing slash.
     */
    static boolean servable(String path) {
        if (!path.startsWith("/") || path.contains("//") || path.indexOf('\\') >= 0) {
            return false;
        }
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) < 0x20 || path.charAt(i) == 0x7f) {
                return false;
            }
        }
        for (String segment : path.substring(1).split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                return false;
            }
        }
        return true;
    }
}

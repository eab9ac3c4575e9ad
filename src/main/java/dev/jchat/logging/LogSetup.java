package dev.jchat.logging;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * Turns on {@code CHAT_LOG_FORMAT=json}. The launcher owns its process and makes every log line
 * JSON; a web application shares its server's logging, so only the chat's own loggers write
 * JSON, through a handler of their own that goes again on undeploy.
 */
public final class LogSetup {

    /** The parent of every logger of the chat. */
    public static final String CHAT_LOGGERS = "dev.jchat";

    private LogSetup() {
    }

    /** The launcher: every console handler of the process writes JSON lines (the chat's, Grizzly's, Lettuce's). */
    public static void jsonForTheProcess() {
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            handler.setFormatter(new JsonLogFormatter());
        }
    }

    /**
     * A web application: the chat's loggers write JSON lines to the console through a handler of
     * their own, and no longer through the server's. Returns what undoes it, for undeploy; the
     * caller keeps it, and with it the logger this configures.
     */
    public static Runnable jsonForTheChat() {
        Logger chat = Logger.getLogger(CHAT_LOGGERS);
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new JsonLogFormatter());
        chat.addHandler(handler);
        chat.setUseParentHandlers(false);
        return () -> {
            chat.removeHandler(handler);
            chat.setUseParentHandlers(true);
            handler.flush();
        };
    }
}

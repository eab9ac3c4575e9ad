package dev.jchat;

import dev.jchat.room.Connections;
import dev.jchat.room.Threads;
import jakarta.websocket.Session;
import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The connections of the chat as a web application. Beyond the WebSocket API it does one thing,
 * for Tyrus (Payara's WebSocket): Tyrus restarts a session's idle timer on every frame sent and
 * received, on the container's scheduler, and Payara's is a managed one, which captures the EE
 * context of each task it is given, a scan of the application's class path for service providers
 * each time. That was most of the server's CPU: about 45 µs per delivery (docs/PERFORMANCE.md).
 * So each Tyrus session gets a plain scheduler of the chat's own instead: the same timer, run by
 * Tyrus as before, with the same close when it expires, but no context around it (Tyrus' idle
 * close needs none). Tomcat's sessions, and a Tyrus without that field, are left as they are.
 * Thread-safe.
 */
final class WarConnections implements Connections, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WarConnections.class.getName());
    private static final String TYRUS_SESSION = "org.glassfish.tyrus.core.TyrusSession";

    private final Threads threads = new Threads();
    private final ScheduledThreadPoolExecutor timers;
    private final AtomicBoolean told = new AtomicBoolean();
    private volatile Field service; // TyrusSession's scheduler, once found

    WarConnections() {
        timers = new ScheduledThreadPoolExecutor(1, threads.daemons("chat-session-timer-"));
        timers.setRemoveOnCancelPolicy(true); // Tyrus cancels the timer on every frame
    }

    /** Containers that close a stalled connection themselves: nothing to abort here. */
    @Override
    public boolean abort(Session session) {
        return false;
    }

    @Override
    public void opened(Session session) {
        if (!session.getClass().getName().equals(TYRUS_SESSION)) {
            return;
        }
        try {
            Field field = service;
            if (field == null) {
                field = session.getClass().getDeclaredField("service");
                if (field.getType() != ScheduledExecutorService.class) {
                    throw new NoSuchFieldException("service is a " + field.getType().getName());
                }
                field.setAccessible(true);
                service = field;
            }
            field.set(session, timers);
            if (told.compareAndSet(false, true)) {
                LOG.log(Level.INFO, "Tyrus' session timers run on the chat's own scheduler, not the container's managed one");
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (told.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "Tyrus' session timers stay on the container's scheduler ({0}): each frame sent"
                        + " or received schedules a task there", e.toString());
            }
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
        if (!threads.join(Duration.ofSeconds(2))) {
            LOG.log(Level.WARNING, "the session timer thread did not end within 2 s of the undeploy");
        }
    }
}

package dev.jchat.room;

import dev.jchat.ChatConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shared state of one chat server: its configuration, its rooms and its open connections.
 * One is created per server (launcher or web application) and handed to every endpoint
 * instance. Thread-safe.
 */
public final class ChatHub {

    private static final System.Logger LOG = System.getLogger(ChatHub.class.getName());
    public static final CloseReason SHUTTING_DOWN =
            new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "server shutting down");

    private final ChatConfig config;
    private final RoomRegistry rooms;
    private final Set<Member> members = ConcurrentHashMap.newKeySet();
    // Closing may block on a stalled peer (Tomcat waits for the close frame to be written), so never on a sender's thread.
    private final ExecutorService closer = Executors.newCachedThreadPool(daemonThreads("chat-closer-"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("chat-timer-"));
    private final AtomicInteger admitted = new AtomicInteger();
    private volatile boolean shuttingDown;

    public ChatHub(ChatConfig config, RoomRegistry rooms) {
        this.config = config;
        this.rooms = rooms;
    }

    /** A hub whose rooms live in this JVM's memory. */
    public static ChatHub inMemory(ChatConfig config) {
        return new ChatHub(config, new LocalRooms(config));
    }

    public ChatConfig config() {
        return config;
    }

    public RoomRegistry rooms() {
        return rooms;
    }

    /**
     * Tracks a newly opened session and gives it its outbox-backed member, admitted unless the
     * server already holds {@code CHAT_MAX_CONNECTIONS}.
     */
    public Member open(Session session) {
        boolean admit = admitted.incrementAndGet() <= config.security().maxConnections();
        if (!admit) {
            admitted.decrementAndGet();
        }
        Member member = new Member(session.getId(), new Outbox(session, config.outboxLimit(), closer), admit);
        members.add(member);
        if (shuttingDown) {
            member.close(SHUTTING_DOWN);
        }
        return member;
    }

    /** Forgets a member whose session closed. */
    public void closed(Member member) {
        if (members.remove(member) && member.admitted()) {
            admitted.decrementAndGet();
        }
        member.outbox().discard();
    }

    /** Runs {@code task} once after {@code delay}, on the hub's timer thread; it must not block. */
    public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return timer.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** Number of open connections. */
    public int connections() {
        return members.size();
    }

    /**
     * Closes every connection with 1001 once what is queued for it is sent, waits up to
     * {@code grace} for them to go, then closes the rest without waiting. Idempotent.
     */
    public void shutdown(Duration grace) {
        shuttingDown = true;
        int count = members.size();
        members.forEach(member -> member.close(SHUTTING_DOWN));
        long deadline = System.nanoTime() + grace.toNanos();
        while (!members.isEmpty() && System.nanoTime() < deadline) {
            sleep(20);
        }
        int stuck = members.size();
        members.forEach(member -> member.outbox().closeNow(SHUTTING_DOWN));
        if (count > 0) {
            LOG.log(Level.INFO, "closed {0} connection(s) for shutdown, {1} of them without draining their queue",
                    count, stuck);
        }
        closer.shutdown();
        timer.shutdownNow();
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}

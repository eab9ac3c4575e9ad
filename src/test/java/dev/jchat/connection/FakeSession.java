package dev.jchat.connection;

import dev.jchat.room.Sends;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A stand-in for the container's session, for the room code's unit tests: it records what is
 * sent and how it is closed, and can complete sends at once, never (a peer that stopped
 * reading), or throw as Tyrus does on text it cannot encode. Thread-safe.
 */
public final class FakeSession {

    public enum Sends { COMPLETE, STALL, THROW_ERROR }

    public final String id;
    public final List<String> sent = new CopyOnWriteArrayList<>();
    public final CountDownLatch closed = new CountDownLatch(1);
    public volatile CloseReason closeReason;
    public volatile Sends sends;
    public volatile long closeTakesMillis;
    public final Session session;

    public FakeSession(String id, Sends sends) {
        this.id = id;
        this.sends = sends;
        RemoteEndpoint.Async async = (RemoteEndpoint.Async) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> {
                    if (method.getName().equals("sendText") && args.length == 2) {
                        send((String) args[0], (SendHandler) args[1]);
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getId" -> id;
                    case "getAsyncRemote" -> async;
                    case "isOpen" -> closeReason == null;
                    case "close" -> {
                        close(args == null ? null : (CloseReason) args[0]);
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "FakeSession[" + id + "]";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private void send(String text, SendHandler handler) {
        switch (sends) {
            case COMPLETE -> {
                sent.add(text);
                handler.onResult(new SendResult());
            }
            case STALL -> sent.add(text);
            case THROW_ERROR -> throw new Error("java.nio.charset.MalformedInputException: Input length = 1");
        }
    }

    private void close(CloseReason reason) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(closeTakesMillis); // Tomcat may block while closing a stalled peer
        closeReason = reason;
        closed.countDown();
    }

    public boolean awaitClose() throws InterruptedException {
        return closed.await(10, TimeUnit.SECONDS);
    }

    /** Waits up to 10 s for a frame sent to this session that passes {@code test}. */
    public boolean awaitSent(Predicate<String> test) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sent.stream().noneMatch(test)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }
}

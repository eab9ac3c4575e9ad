package dev.jchat.engine.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of Redis that can cut the subscriber connections alone (those whose client
 * sent SUBSCRIBE), and refuse new ones for a while, or hold back what Redis sends them (a slow
 * channel), or stop forwarding it to the ones open now for good (a connection that stays up and
 * delivers nothing), leaving the command connections untouched.
 */
final class CuttingProxy implements AutoCloseable {

    /** The command names of a subscription, as RESP sends them (so a script that mentions the word is no subscriber). */
    private static final byte[] SUBSCRIBE = "\nSUBSCRIBE\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SSUBSCRIBE = "\nSSUBSCRIBE\r\n".getBytes(StandardCharsets.US_ASCII);

    /** One proxied connection: the client's socket, Redis' socket, and whether it subscribes. */
    private static final class Link {
        final Socket client;
        final Socket redis;
        volatile boolean subscriber;
        volatile boolean stalled;
        final StringBuilder opening = new StringBuilder(); // guarded by itself: what the client sent first (its name)

        Link(Socket client, Socket redis) {
            this.client = client;
            this.redis = redis;
        }

        void cut() {
            closeQuietly(client);
            closeQuietly(redis);
        }
    }

    private final ServerSocket listener;
    private final int redisPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile long refuseSubscribersUntil;
    private volatile boolean holdingSubscribers;

    CuttingProxy(int redisPort) throws IOException {
        this.redisPort = redisPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url() {
        return "redis://127.0.0.1:" + port();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Cuts every subscriber connection, and cuts new ones as soon as they subscribe, for {@code millis}. */
    void cutSubscribers(long millis) {
        refuseSubscribersUntil = System.currentTimeMillis() + millis;
        for (Link link : links) {
            if (link.subscriber) {
                link.cut();
            }
        }
    }

    /**
     * Holds back what Redis sends to subscriber connections (they stay open), until
     * {@link #releaseSubscribers}: a server whose channel lags behind the other servers'.
     */
    void holdSubscribers() {
        holdingSubscribers = true;
    }

    /**
     * The subscriber connections open now stay open but get nothing more from Redis, ever (what
     * Redis sends them is read and dropped, as a network that lost the way would); new ones pass.
     */
    void stallSubscribers() {
        for (Link link : links) {
            if (link.subscriber) {
                link.stalled = true;
            }
        }
    }

    /**
     * As {@link #stallSubscribers}, for the subscriber connections of one chat server alone: those
     * that named themselves {@code clientName} when they connected (Lettuce's {@code SETNAME}).
     */
    void stallSubscribersNamed(String clientName) {
        for (Link link : links) {
            boolean named;
            synchronized (link.opening) {
                named = link.opening.indexOf(clientName) >= 0;
            }
            if (link.subscriber && named) {
                link.stalled = true;
            }
        }
    }

    /** Delivers what was held back, in order, and lets the rest through. */
    void releaseSubscribers() {
        holdingSubscribers = false;
    }

    /** Connections that sent SUBSCRIBE and are still open. */
    long openSubscribers() {
        return links.stream().filter(l -> l.subscriber && !l.client.isClosed()).count();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket redis = new Socket(InetAddress.getLoopbackAddress(), redisPort);
                Link link = new Link(client, redis);
                links.add(link);
                pump(link, client, redis, true);
                pump(link, redis, client, false);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Link link, Socket from, Socket to, boolean fromClient) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16_384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) != -1) {
                    if (fromClient) {
                        synchronized (link.opening) {
                            if (link.opening.length() < 4_096) {
                                link.opening.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                            }
                        }
                    }
                    if (fromClient && !link.subscriber && (contains(buffer, n, SUBSCRIBE) || contains(buffer, n, SSUBSCRIBE))) {
                        link.subscriber = true;
                        if (System.currentTimeMillis() < refuseSubscribersUntil) {
                            break;
                        }
                    }
                    while (!fromClient && link.subscriber && holdingSubscribers) {
                        Thread.sleep(5);
                    }
                    if (!fromClient && link.stalled) {
                        continue;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // cut, or closed by either side: the other side follows
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                link.cut();
                links.remove(link);
            }
        }, "proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static boolean contains(byte[] buffer, int length, byte[] word) {
        outer:
        for (int i = 0; i + word.length <= length; i++) {
            for (int j = 0; j < word.length; j++) {
                if (Character.toUpperCase(buffer[i + j]) != word[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing an already broken socket: nothing left to do
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        links.forEach(Link::cut);
    }
}

package dev.jchat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * A WebSocket client on a bare socket, for what the JDK's client will not do: send a large text
 * as one unfragmented frame, send raw bytes, several frames in one write, or stop reading with a
 * small receive buffer so that the server's writes back up at once. Not thread-safe.
 */
public final class RawClient implements AutoCloseable {

    public static final int CONTINUATION = 0;
    public static final int TEXT = 1;
    public static final int BINARY = 2;
    public static final int CLOSE = 8;
    public static final int PING = 9;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A frame read from the server. */
    public record Received(int opcode, byte[] payload) {

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame. */
        public int closeCode() {
            return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects and completes the handshake to {@code uri} (a ws: URI with its query). */
    public static RawClient connect(URI uri) throws IOException {
        return connect(uri, 0);
    }

    /**
     * Connects with a receive buffer of {@code receiveBuffer} bytes (0: the system's), set before
     * connecting so that the TCP window stays that small.
     */
    public static RawClient connect(URI uri, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setTcpNoDelay(true); // a write is a segment: the slow writes below reach the server apart
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
        socket.setSoTimeout(10_000);
        RawClient client = new RawClient(socket);
        client.handshake(TestClient.withTestKey(uri), new byte[0]);
        return client;
    }

    /**
     * Connects and writes the upgrade request and {@code frames} in one write, as one packet: a
     * client that does not wait for the handshake's answer (RFC 6455 says it should).
     */
    public static RawClient connectWithFrames(URI uri, byte[]... frames) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
        socket.setSoTimeout(10_000);
        RawClient client = new RawClient(socket);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            all.write(f);
        }
        client.handshake(TestClient.withTestKey(uri), all.toByteArray());
        return client;
    }

    private void handshake(URI uri, byte[] after) throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        byte[] requestBytes = request.getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(requestBytes, requestBytes.length + after.length);
        System.arraycopy(after, 0, all, requestBytes.length, after.length);
        out.write(all);
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the server closed during the handshake: " + head);
            }
            head.write(b);
        }
        String status = head.toString(StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
        assertTrue(status.contains(" 101 "), () -> "handshake refused: " + status);
    }

    /** One unfragmented, masked frame. */
    public static byte[] frame(int opcode, byte[] payload) {
        return frame(opcode, true, payload);
    }

    /**
     * One masked frame: a message's first fragment (its opcode, {@code fin} false), a following
     * one ({@link #CONTINUATION}), or the last ({@code fin} true).
     */
    public static byte[] frame(int opcode, boolean fin, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | opcode);
        int length = payload.length;
        if (length < 126) {
            frame.write(0x80 | length);
        } else if (length < 65_536) {
            frame.write(0x80 | 126);
            frame.write(length >>> 8);
            frame.write(length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.write(mask, 0, 4);
        for (int i = 0; i < length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        return frame.toByteArray();
    }

    public static byte[] text(String text) {
        return frame(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes bytes as they are: one frame, several, or anything else. */
    public void write(byte[]... frames) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            all.write(f);
        }
        out.write(all.toByteArray());
        out.flush();
    }

    /**
     * Writes bytes one at a time, {@code pauseMillis} apart, so that the server reads them apart:
     * a frame's header, or any part of it, split over reads.
     */
    public void writeSlowly(byte[] bytes, long pauseMillis) throws IOException, InterruptedException {
        for (byte b : bytes) {
            out.write(b);
            out.flush();
            Thread.sleep(pauseMillis);
        }
    }

    /** The next frame from the server. */
    public Received read() throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Received(first & 0x0f, payload);
    }

    /** Reads frames until a close frame; returns its code. Fails if the connection ends without one. */
    public int readUntilClose() throws IOException {
        while (true) {
            Received frame = read();
            if (frame.opcode() == CLOSE) {
                return frame.closeCode();
            }
        }
    }

    /** Asserts the next close frame (skipping text) carries {@code code}. */
    public void expectClose(int code) throws IOException {
        assertEquals(code, readUntilClose(), "close code");
    }

    /**
     * Reads and drops whatever comes until the server ends the connection; true when it did within
     * {@code millis} (by a close frame and EOF, or a reset), false when it is still open then.
     */
    public boolean endsWithin(long millis) throws IOException {
        long deadline = System.currentTimeMillis() + millis;
        byte[] sink = new byte[64 * 1024];
        InputStream raw = socket.getInputStream();
        while (System.currentTimeMillis() < deadline) {
            socket.setSoTimeout((int) Math.max(1, Math.min(500, deadline - System.currentTimeMillis())));
            try {
                if (raw.read(sink) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                // nothing yet: keep waiting
            } catch (SocketException e) {
                return true; // reset: the server dropped it
            }
        }
        return false;
    }

    /**
     * Whether the server has ended the connection, found without reading anything: a ping is
     * written every 100 ms, and a socket the server closed or dropped refuses them within a
     * write or two (its end answers with a reset). False when they still go through after
     * {@code millis}.
     */
    public boolean refusesWritesWithin(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            try {
                write(frame(PING, new byte[0]));
            } catch (IOException e) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

package dev.jchat.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * A WebSocket client on a plain {@link Socket}, doing the handshake and the framing itself, so
 * that it can send frames no library would (a control frame over 125 bytes, text that is not
 * UTF-8, one 70 KB frame) and can stop reading while its receive buffer stays small. One thread
 * at a time; not thread-safe.
 */
final class RawWebSocket implements Closeable {

    static final int CONTINUATION = 0x0, TEXT = 0x1, BINARY = 0x2, CLOSE = 0x8, PING = 0x9, PONG = 0xA;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int FRAME_TIMEOUT_MILLIS = 30_000; // once a frame has started, the rest follows

    /** One frame as received (the server never masks). */
    record Frame(int opcode, boolean fin, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code, 1005 when the close frame carries none. */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }

        String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 8192);
        this.out = socket.getOutputStream();
    }

    /**
     * Connects and completes the handshake.
     *
     * @param receiveBuffer SO_RCVBUF set before connecting, so the TCP window is small from the
     *                      start; 0 leaves the system's (several MB on loopback)
     */
    static RawWebSocket open(URI uri, int receiveBuffer, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            RawWebSocket ws = new RawWebSocket(socket);
            ws.handshake(uri);
            return ws;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void handshake(URI uri) throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!endsWithBlankLine(head)) {
            int b = in.read();
            if (b < 0 || head.size() > 16_384) {
                throw new EOFException("handshake ended early");
            }
            head.write(b);
        }
        String status = head.toString(StandardCharsets.US_ASCII).lines().findFirst().orElse("");
        if (!status.startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + status);
        }
    }

    private static boolean endsWithBlankLine(ByteArrayOutputStream head) {
        byte[] b = head.toByteArray();
        int n = b.length;
        return n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n';
    }

    void sendText(String text) throws IOException {
        send(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
    }

    /** One frame, masked as a client's must be; nothing checks that it is a valid one. */
    void send(int opcode, boolean fin, byte[] payload) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(14 + payload.length);
        frame.put((byte) ((fin ? 0x80 : 0) | opcode));
        if (payload.length < 126) {
            frame.put((byte) (0x80 | payload.length));
        } else if (payload.length < 65_536) {
            frame.put((byte) (0x80 | 126)).putShort((short) payload.length);
        } else {
            frame.put((byte) (0x80 | 127)).putLong(payload.length);
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.put(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.put((byte) (payload[i] ^ mask[i & 3]));
        }
        out.write(frame.array(), 0, frame.position());
        out.flush();
    }

    /** Sends a close frame with {@code code}; errors are ignored, as the peer may be gone already. */
    void sendClose(int code) {
        try {
            send(CLOSE, true, new byte[] {(byte) (code >> 8), (byte) code});
        } catch (IOException e) {
            // the server closed first: nothing to say goodbye to
        }
    }

    /**
     * The next frame, or null when none starts within {@code wait}. Throws EOFException when the
     * server closed the TCP connection, or another IOException when it reset it.
     */
    Frame read(Duration wait) throws IOException {
        socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
        int first;
        try {
            first = in.read(); // only the first byte may time out, so no frame is ever half read
        } catch (SocketTimeoutException e) {
            return null;
        }
        if (first < 0) {
            throw new EOFException("the server closed the connection");
        }
        socket.setSoTimeout(FRAME_TIMEOUT_MILLIS);
        int second = readByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = (readByte() << 8) | readByte();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | readByte();
            }
        }
        if (length > 16 * 1024 * 1024) {
            throw new IOException("frame of " + length + " bytes: not from a chat server");
        }
        byte[] payload = in.readNBytes((int) length);
        if (payload.length < length) {
            throw new EOFException("the server closed the connection mid-frame");
        }
        return new Frame(first & 0x0f, (first & 0x80) != 0, payload);
    }

    /**
     * Reads frames until a text frame whose JSON {@code type} is {@code type}, skipping the room's
     * traffic; IOException when none comes within {@code wait} or the connection ends first.
     */
    Map<String, Object> awaitJson(String type, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Frame frame = left <= 0 ? null : read(Duration.ofNanos(left));
            if (frame == null) {
                throw new SocketTimeoutException("no " + type + " within " + wait.toSeconds() + " s");
            }
            if (frame.opcode() == CLOSE) {
                throw new EOFException("closed with " + frame.closeCode() + " " + frame.closeReason() + " before a " + type);
            }
            if (frame.opcode() == TEXT && frame.fin()) { // the chat server sends each frame whole
                Map<String, Object> json = FlatJson.parse(frame.text());
                if (type.equals(json.get("type"))) {
                    return json;
                }
            }
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("the server closed the connection mid-frame");
        }
        return b;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a socket the server already reset: nothing left to release
        }
    }
}

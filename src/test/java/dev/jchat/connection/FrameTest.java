package dev.jchat.connection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameTest {

    /** Reads a server's text frame as RFC 6455 lays it out: final, text, unmasked, 7/16/64-bit length. */
    private static String read(ByteBuffer wire) {
        assertEquals(0x81, wire.get() & 0xFF, "final text frame");
        int first = wire.get() & 0xFF;
        assertEquals(0, first & 0x80, "a server's frame is not masked");
        long length = first == 126 ? wire.getShort() & 0xFFFF : first == 127 ? wire.getLong() : first;
        assertEquals(length, wire.remaining(), "the payload, and nothing after it");
        byte[] payload = new byte[wire.remaining()];
        wire.get(payload);
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Test
    void theWireIsTheWholeFrameForEveryLengthClass() {
        for (String text : new String[] {"", "hi", "é".repeat(62), "x".repeat(125), "x".repeat(126), "😀".repeat(20_000),
                "x".repeat(65_535), "x".repeat(65_536)}) {
            Frame frame = Frame.of(text);
            assertEquals(text, read(frame.wire()), () -> "length " + text.length());
            assertEquals(frame.bytes(), text.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void everySendGetsItsOwnPositionOverTheSameBytes() {
        Frame frame = Frame.of("{\"type\":\"chat\"}");
        ByteBuffer first = frame.wire();
        read(first); // consumed, as a write consumes it
        ByteBuffer second = frame.wire();
        assertEquals(2 + 15, second.remaining(), "untouched by the first send");
        byte[] a = new byte[second.remaining()];
        second.get(a);
        byte[] b = new byte[17];
        frame.wire().get(b);
        assertArrayEquals(a, b);
        assertTrue(first.isReadOnly(), "nobody can change what the other recipients get");
    }
}

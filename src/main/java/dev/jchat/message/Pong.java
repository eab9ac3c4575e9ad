package dev.jchat.message;

import java.time.Instant;

/** The answer to a client's {@code ping}. */
public record Pong(Instant dateTime) implements ServerFrame {
}

package dev.jchat.message;

import java.time.Instant;

/** A name's first connection in a room opened; {@code online} counts distinct names after it. */
public record Join(String user, Instant dateTime, int online) implements ServerFrame {
}

package dev.jchat.message;

import java.time.Instant;

/** A name's last connection in a room closed; {@code online} counts distinct names after it. */
public record Leave(String user, Instant dateTime, int online) implements ServerFrame {
}

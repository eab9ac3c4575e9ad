package dev.jchat.message;

/**
 * Version 3's answer to an {@code auth} frame that replaced the connection's token: when the new
 * one runs out, in seconds since the epoch (the token's {@code exp}).
 */
public record AuthAnswer(long exp) implements ServerFrame {
}

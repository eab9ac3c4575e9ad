package dev.jchat;

/** A setting that cannot be used; the message names the variable and is fit to print as it is. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }
}

package dev.jchat.config;

/**
 * A setting that cannot be used. The message names the setting as the user wrote it
 * ({@code CHAT_PORT}, or {@code -Dchat.port}) and says how to fix it; it is fit to print as it is.
 * Immutable.
 */
public final class ConfigException extends RuntimeException {

    private final String setting;

    /** A problem with {@code setting}: the message is the two joined, "CHAT_PORT must be ...". */
    public ConfigException(String setting, String problem) {
        super(setting + " " + problem);
        this.setting = setting;
    }

    /** The setting the message names, or null. */
    public String setting() {
        return setting;
    }
}

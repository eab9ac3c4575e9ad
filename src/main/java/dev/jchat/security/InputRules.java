package dev.jchat.security;

import dev.jchat.message.ErrorCode;
import java.text.Normalizer;
import java.util.regex.Pattern;

/** The protocol's rules for names, rooms and message text. Stateless and thread-safe. */
public final class InputRules {

    public static final String DEFAULT_ROOM = "lobby";
    public static final int MIN_NAME = 3;
    public static final int MAX_NAME = 32;

    // Letters may carry combining marks: many scripts (Devanagari, Thai, ...) cannot be written without them.
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{M}\\p{Nd}\\p{Nl}\\p{No} _.\\-]+");
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern EPOCH = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private InputRules() {
    }

    /**
     * A display name: trimmed, in NFC so that look-alike encodings are one name, 3 to 32 code points.
     *
     * @throws RefusedException with {@code invalid-user}
     */
    public static String name(String raw) throws RefusedException {
        if (raw == null) {
            throw new RefusedException(ErrorCode.INVALID_USER, "a name is required: 3 to 32 letters, digits, spaces, _ - .");
        }
        String name = Normalizer.normalize(raw.strip(), Normalizer.Form.NFC);
        int length = name.codePointCount(0, name.length());
        if (length < MIN_NAME || length > MAX_NAME) {
            throw new RefusedException(ErrorCode.INVALID_USER, "a name must be 3 to 32 characters long");
        }
        if (!NAME.matcher(name).matches() || Character.getType(name.codePointAt(0)) == Character.NON_SPACING_MARK) {
            throw new RefusedException(ErrorCode.INVALID_USER,
                    "a name may hold only letters, digits, spaces, _ - and .");
        }
        return name;
    }

    /**
     * A room name from the query; null or empty means the default room. One starting with
     * {@code @} asks for a direct conversation, and is checked once the name is known
     * ({@code Direct.canonical}).
     *
     * @throws RefusedException with {@code invalid-query}
     */
    public static String room(String raw) throws RefusedException {
        if (raw == null || raw.isEmpty()) {
            return DEFAULT_ROOM;
        }
        if (raw.startsWith("@")) {
            return raw;
        }
        if (!ROOM.matcher(raw).matches()) {
            throw new RefusedException(ErrorCode.INVALID_QUERY, "room must be 1 to 64 of A-Z a-z 0-9 _ -");
        }
        return raw;
    }

    /**
     * The {@code since} of the query: a message id, 0 or more; null when absent.
     *
     * @throws RefusedException with {@code invalid-query}
     */
    public static Long since(String raw) throws RefusedException {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        try {
            if (raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Long.parseLong(raw);
            }
        } catch (NumberFormatException e) {
            // too many digits: falls through to the refusal below
        }
        throw new RefusedException(ErrorCode.INVALID_QUERY, "since must be a message id (a whole number, 0 or more)");
    }

    /**
     * The {@code epoch} of the query; null when absent.
     *
     * @throws RefusedException with {@code invalid-query}
     */
    public static String epoch(String raw) throws RefusedException {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        if (!EPOCH.matcher(raw).matches()) {
            throw new RefusedException(ErrorCode.INVALID_QUERY, "epoch must be the value a welcome frame gave");
        }
        return raw;
    }

    /**
     * Message text: trimmed, then 1 to {@code maxChars} code points.
     *
     * @throws RefusedException with {@code empty-message} or {@code message-too-long}
     */
    public static String message(String raw, int maxChars) throws RefusedException {
        String text = raw.strip();
        if (text.isEmpty()) {
            throw new RefusedException(ErrorCode.EMPTY_MESSAGE, "the message is empty");
        }
        if (text.codePointCount(0, text.length()) > maxChars) {
            throw new RefusedException(ErrorCode.MESSAGE_TOO_LONG,
                    "the message is longer than " + maxChars + " characters");
        }
        return text;
    }
}

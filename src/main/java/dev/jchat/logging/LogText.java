package dev.jchat.logging;

import java.util.regex.Pattern;

/** Client text made fit for a log line. Stateless and thread-safe. */
public final class LogText {

    private static final int MAX = 200;
    // Every Unicode control (U+0085 included), format character (bidi overrides), line and
    // paragraph separator, and unpaired surrogate: none may forge or disguise a log line.
    private static final Pattern UNPRINTABLE = Pattern.compile("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\p{Cs}]");

    private LogText() {
    }

    /** At most 200 characters of {@code text}, each unprintable one as {@code ?}; "(none)" for null. */
    public static String printable(String text) {
        if (text == null) {
            return "(none)";
        }
        String cut = text.length() > MAX ? text.substring(0, MAX) + "..." : text;
        return UNPRINTABLE.matcher(cut).replaceAll("?");
    }
}

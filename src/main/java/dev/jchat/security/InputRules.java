package dev.jchat.security;

import dev.jchat.message.ErrorCode;
import java.text.Normalizer;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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
    private static final Pattern SPACES = Pattern.compile(" {2,}");

    private InputRules() {
    }

    /**
     * A display name: trimmed, in NFC so that look-alike encodings are one name, 3 to 32 code
     * points, with no invisible code point (see {@link #invisible}): a name that renders like
     * another must not pass for it.
     *
     * @throws RefusedException with {@code invalid-user}
     */
    public static String name(String raw) throws RefusedException {
        if (raw == null) {
            throw new RefusedException(ErrorCode.INVALID_USER, "a name is required: 3 to 32 letters, digits, spaces, _ - .");
        }
        String name = Normalizer.normalize(raw.strip(), Normalizer.Form.NFC);
        int hidden = name.codePoints().filter(InputRules::invisible).findFirst().orElse(-1);
        if (hidden >= 0) {
            throw new RefusedException(ErrorCode.INVALID_USER, String.format(
                    "a name may not hold invisible characters (it holds U+%04X): it would look like another name", hidden));
        }
        int length = name.codePointCount(0, name.length());
        if (length < MIN_NAME || length > MAX_NAME) {
            throw new RefusedException(ErrorCode.INVALID_USER, "a name must be 3 to 32 characters long");
        }
        if (!NAME.matcher(name).matches() || Character.getType(name.codePointAt(0)) == Character.NON_SPACING_MARK) {
            throw new RefusedException(ErrorCode.INVALID_USER,
                    "a name may hold only letters, digits, spaces, _ - and .");
        }
        if (!oneScript(name)) {
            throw new RefusedException(ErrorCode.INVALID_USER, "a name may not mix letters of scripts that look alike"
                    + " (Latin with Cyrillic or Greek, say): it could pass for another name");
        }
        return name;
    }

    /**
     * What holds and compares a valid name: its skeleton, the form two names that look the same
     * on screen share. NFKC (fullwidth and other compatibility forms become the plain letter),
     * case folded (upper then lower case, so that {@code ß}, {@code SS} and {@code ss} agree),
     * NFKC again (case mapping can undo it), and runs of spaces as one. Invisible code points
     * never get this far: {@link #name} refuses them. Letters of different scripts that look
     * alike (Latin {@code a}, Cyrillic {@code а}) stay different names.
     */
    public static String skeleton(String name) {
        String folded = Normalizer.normalize(name, Normalizer.Form.NFKC)
                .toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
        return SPACES.matcher(Normalizer.normalize(folded, Normalizer.Form.NFKC)).replaceAll(" ");
    }

    /**
     * Whether the name's letters keep to the scripts Unicode's "moderately restrictive" profile
     * allows together (UTS #39): one script, or Latin with one other that is not Cyrillic or Greek
     * (whose letters pass for Latin ones: {@code аlice} with a Cyrillic {@code а}), or Latin and
     * Han with Japanese kana, Bopomofo or Hangul. Digits, spaces, {@code _ - .} and combining
     * marks belong to any script.
     */
    static boolean oneScript(String name) {
        EnumSet<Character.UnicodeScript> scripts = EnumSet.noneOf(Character.UnicodeScript.class);
        name.codePoints().mapToObj(Character.UnicodeScript::of)
                .filter(script -> script != Character.UnicodeScript.COMMON && script != Character.UnicodeScript.INHERITED)
                .forEach(scripts::add);
        scripts.remove(Character.UnicodeScript.LATIN);
        if (scripts.size() <= 1) {
            return !scripts.contains(Character.UnicodeScript.CYRILLIC) && !scripts.contains(Character.UnicodeScript.GREEK)
                    || !name.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.LATIN);
        }
        return CJK.stream().anyMatch(allowed -> allowed.containsAll(scripts));
    }

    /** Scripts written together in Chinese, Japanese, Korean (with Han, and Latin). */
    private static final List<Set<Character.UnicodeScript>> CJK = List.of(
            EnumSet.of(Character.UnicodeScript.HAN, Character.UnicodeScript.HIRAGANA, Character.UnicodeScript.KATAKANA),
            EnumSet.of(Character.UnicodeScript.HAN, Character.UnicodeScript.BOPOMOFO),
            EnumSet.of(Character.UnicodeScript.HAN, Character.UnicodeScript.HANGUL));

    /**
     * Whether a code point renders as nothing: Unicode's Default_Ignorable_Code_Point (soft
     * hyphen, zero-width and bidirectional controls, variation selectors, the Hangul fillers that
     * count as letters, tags...) and every other format character (general category Cf).
     */
    static boolean invisible(int cp) {
        return Character.getType(cp) == Character.FORMAT
                || cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x115F || cp == 0x1160
                || cp == 0x17B4 || cp == 0x17B5 || (cp >= 0x180B && cp <= 0x180F)
                || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F)
                || cp == 0x3164 || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF || cp == 0xFFA0
                || (cp >= 0xFFF0 && cp <= 0xFFF8) || (cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0x1D173 && cp <= 0x1D17A)
                || (cp >= 0xE0000 && cp <= 0xE0FFF);
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

    /** Code points one reaction may have. */
    public static final int MAX_EMOJI_CODE_POINTS = 10;

    /**
     * A reaction: 1 to {@value #MAX_EMOJI_CODE_POINTS} code points with no letter, digit,
     * whitespace or control character: an emoji, a symbol, a sequence with joiners or skin tones.
     *
     * @throws RefusedException with {@code invalid-message}
     */
    public static String emoji(String raw) throws RefusedException {
        int count = raw.codePointCount(0, raw.length());
        if (count < 1 || count > MAX_EMOJI_CODE_POINTS) {
            throw new RefusedException(ErrorCode.INVALID_MESSAGE,
                    "an emoji is 1 to " + MAX_EMOJI_CODE_POINTS + " characters");
        }
        boolean ok = raw.codePoints().noneMatch(c -> Character.isLetter(c) || Character.isDigit(c)
                || Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c));
        if (!ok) {
            throw new RefusedException(ErrorCode.INVALID_MESSAGE,
                    "an emoji has no letter, digit, space or control character");
        }
        return raw;
    }
}

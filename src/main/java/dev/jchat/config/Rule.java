package dev.jchat.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A kind of setting with its default and the values it allows: how its text is read, how a value
 * is checked, and how it is shown. The rows of {@link Setting} are made of these. Immutable, so
 * safe to share.
 *
 * @param <T> the type of the value
 */
abstract class Rule<T> {

    /** The default, which may follow the settings above it in the table ({@code soFar}). */
    abstract T defaultValue(Map<Setting, Object> soFar);

    /**
     * The value of the text the user gave.
     *
     * @throws ConfigException naming the setting as {@code spelled} when the text is no such value
     */
    abstract T parse(String raw, String spelled, Map<Setting, Object> soFar);

    /** What is wrong with {@code value} among the other settings' values, or null when nothing is. */
    abstract String problem(T value, Map<Setting, Object> all, Function<Setting, String> spelling);

    /** The values it allows, in Markdown. */
    abstract String allowed();

    /** The value as a variable would spell it; empty for none. */
    String plain(T value) {
        return value == null ? "" : String.valueOf(value);
    }

    /** The value as the startup report shows it. */
    String report(T value) {
        return plain(value);
    }

    /** The value in its one form. */
    T normal(T value) {
        return value;
    }

    /** How the help and the README show a default that is no value. */
    String nothing() {
        return "(unset)";
    }

    boolean secret() {
        return false;
    }

    static Whole whole(int defaultValue, int min, int max) {
        return new Whole(defaultValue, min, max, null, null, null);
    }

    static Text text(String defaultValue, String allowed, Function<String, String> problem) {
        return new Text(defaultValue, allowed, problem, UnaryOperator.identity());
    }

    /** A text that may be unset; {@code report} shows a value (or null) in the startup report. */
    static OptionalText optional(String allowed, Function<String, String> problem, Function<String, String> report) {
        return new OptionalText(allowed, problem, report, false);
    }

    /** A text that may be unset and is never shown, only whether it is set. */
    static OptionalText secret(String allowed, Function<String, String> problem, String unset, String set) {
        return new OptionalText(allowed, problem, value -> value == null ? unset : set, true);
    }

    static Items origins() {
        return new Items(Checks::originProblem, "origins like `https://chat.example.com:8443` (lower case, no path), or `*`",
                "(the page's own origin only)");
    }

    static Items names() {
        return new Items(Checks::nameProblem, "names, comma-separated", "(none)");
    }

    static <E extends Enum<E>> Choice<E> choice(E defaultValue) {
        return new Choice<>(defaultValue);
    }

    /** A whole number between two bounds. */
    static final class Whole extends Rule<Integer> {

        private final int defaultValue;
        private final int min;
        private final int max;
        private final Setting atMost; // null, or the setting whose value bounds this one from above
        private final Setting zeroWith; // null, or the setting whose 0 lets this one be 0 below its min
        private final String zeroMeaning; // null, or what 0 means, for the report

        private Whole(int defaultValue, int min, int max, Setting atMost, Setting zeroWith, String zeroMeaning) {
            this.defaultValue = defaultValue;
            this.min = min;
            this.max = max;
            this.atMost = atMost;
            this.zeroWith = zeroWith;
            this.zeroMeaning = zeroMeaning;
        }

        /** At most the value of {@code bound}, an earlier setting; so is its default, so that a small bound alone is valid. */
        Whole atMost(Setting bound) {
            return new Whole(defaultValue, min, max, bound, zeroWith, zeroMeaning);
        }

        /** May be 0 while {@code other} is 0 (a burst without a rate). */
        Whole orZeroWhenZero(Setting other) {
            return new Whole(defaultValue, min, max, atMost, other, zeroMeaning);
        }

        Whole zeroMeaning(String meaning) {
            return new Whole(defaultValue, min, max, atMost, zeroWith, meaning);
        }

        @Override
        Integer defaultValue(Map<Setting, Object> soFar) {
            return atMost == null ? defaultValue : Math.max(0, Math.min(defaultValue, (Integer) soFar.get(atMost)));
        }

        @Override
        Integer parse(String raw, String spelled, Map<Setting, Object> soFar) {
            if (raw.isBlank()) {
                return defaultValue(soFar);
            }
            try {
                return Integer.parseInt(raw.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(spelled, "must be a whole number, got \"" + raw + "\"");
            }
        }

        @Override
        String problem(Integer value, Map<Setting, Object> all, Function<Setting, String> spelling) {
            if (value == null) {
                return "must be set";
            }
            if (atMost != null && value > (Integer) all.get(atMost)) {
                return "must be at most " + spelling.apply(atMost) + " (" + all.get(atMost) + "), got " + value;
            }
            int low = zeroWith != null && (Integer) all.get(zeroWith) == 0 ? 0 : min;
            return value < low || value > max ? "must be between " + low + " and " + max + ", got " + value : null;
        }

        @Override
        String allowed() {
            if (atMost != null) {
                return min + " to `" + atMost.variable() + "`";
            }
            return min + " to " + max + (zeroWith == null ? "" : " (`0` when `" + zeroWith.variable() + "` is `0`)");
        }

        @Override
        String report(Integer value) {
            return zeroMeaning != null && value == 0 ? "0 (" + zeroMeaning + ")" : plain(value);
        }
    }

    /** A text with a default, which blank text leaves as it is; surrounding spaces are dropped. */
    static final class Text extends Rule<String> {

        private final String defaultValue;
        private final String allowed;
        private final Function<String, String> problem;
        private final UnaryOperator<String> normal;

        private Text(String defaultValue, String allowed, Function<String, String> problem, UnaryOperator<String> normal) {
            this.defaultValue = defaultValue;
            this.allowed = allowed;
            this.problem = problem;
            this.normal = normal;
        }

        /** Values are put in one form ({@code normal}) before they are checked and kept. */
        Text normalised(UnaryOperator<String> value) {
            return new Text(defaultValue, allowed, problem, value);
        }

        @Override
        String defaultValue(Map<Setting, Object> soFar) {
            return defaultValue;
        }

        @Override
        String parse(String raw, String spelled, Map<Setting, Object> soFar) {
            return raw.isBlank() ? defaultValue : raw.strip();
        }

        @Override
        String problem(String value, Map<Setting, Object> all, Function<Setting, String> spelling) {
            return problem.apply(value);
        }

        @Override
        String normal(String value) {
            return value == null ? null : normal.apply(value);
        }

        @Override
        String allowed() {
            return allowed;
        }
    }

    /** A text that may be unset (empty); taken as it is written, spaces included, since it may be a secret. */
    static final class OptionalText extends Rule<String> {

        private final String allowed;
        private final Function<String, String> problem;
        private final Function<String, String> report;
        private final boolean secret;

        private OptionalText(String allowed, Function<String, String> problem, Function<String, String> report, boolean secret) {
            this.allowed = allowed;
            this.problem = problem;
            this.report = report;
            this.secret = secret;
        }

        @Override
        String defaultValue(Map<Setting, Object> soFar) {
            return null;
        }

        @Override
        String parse(String raw, String spelled, Map<Setting, Object> soFar) {
            return raw.isEmpty() ? null : raw;
        }

        @Override
        String problem(String value, Map<Setting, Object> all, Function<Setting, String> spelling) {
            return value == null ? null : problem.apply(value);
        }

        @Override
        String allowed() {
            return allowed;
        }

        @Override
        String report(String value) {
            return report.apply(value);
        }

        @Override
        boolean secret() {
            return secret;
        }
    }

    /** Browser origins, comma-separated; none by default. */
    /** A comma-separated list, each item checked on its own. */
    static final class Items extends Rule<List<String>> {

        private final Function<String, String> itemProblem;
        private final String allowed;
        private final String none;

        private Items(Function<String, String> itemProblem, String allowed, String none) {
            this.itemProblem = itemProblem;
            this.allowed = allowed;
            this.none = none;
        }

        @Override
        List<String> defaultValue(Map<Setting, Object> soFar) {
            return List.of();
        }

        @Override
        List<String> parse(String raw, String spelled, Map<Setting, Object> soFar) {
            return Arrays.stream(raw.split(",")).map(String::strip).filter(item -> !item.isEmpty()).toList();
        }

        @Override
        String problem(List<String> value, Map<Setting, Object> all, Function<Setting, String> spelling) {
            return value.stream().map(itemProblem).filter(p -> p != null).findFirst().orElse(null);
        }

        @Override
        List<String> normal(List<String> value) {
            return List.copyOf(value);
        }

        @Override
        String allowed() {
            return allowed;
        }

        @Override
        String plain(List<String> value) {
            return String.join(",", value);
        }

        @Override
        String report(List<String> value) {
            return value.isEmpty() ? none : plain(value);
        }

        @Override
        String nothing() {
            return "(empty)";
        }
    }

    /** One of an enum's constants, written in any case. */
    static final class Choice<E extends Enum<E>> extends Rule<E> {

        private final E defaultValue;

        private Choice(E defaultValue) {
            this.defaultValue = defaultValue;
        }

        @Override
        E defaultValue(Map<Setting, Object> soFar) {
            return defaultValue;
        }

        @Override
        E parse(String raw, String spelled, Map<Setting, Object> soFar) {
            String value = raw.strip();
            if (value.isEmpty()) {
                return defaultValue;
            }
            for (E constant : defaultValue.getDeclaringClass().getEnumConstants()) {
                if (constant.name().equalsIgnoreCase(value)) {
                    return constant;
                }
            }
            throw new ConfigException(spelled, "must be " + names(" or ", "") + ", got \"" + value + "\"");
        }

        @Override
        String problem(E value, Map<Setting, Object> all, Function<Setting, String> spelling) {
            return value == null ? "must be " + names(" or ", "") : null;
        }

        @Override
        String allowed() {
            return names(", ", "`");
        }

        @Override
        String plain(E value) {
            return value == null ? "" : value.name().toLowerCase(Locale.ROOT);
        }

        private String names(String separator, String quote) {
            return Arrays.stream(defaultValue.getDeclaringClass().getEnumConstants())
                    .map(constant -> quote + plain(constant) + quote).collect(Collectors.joining(separator));
        }
    }
}

package dev.jchat.config;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where settings are read: the environment first, a system property over it. Remembers how the
 * user spelled each setting it found, so that an error names what the user set. Not thread-safe:
 * one reading on one thread.
 */
final class Source {

    private final Map<String, String> env;
    private final Function<String, String> properties;
    private final Map<Setting, String> spelled = new EnumMap<>(Setting.class); // where a property gave it: -Dchat.x

    Source(Map<String, String> env, Function<String, String> properties) {
        this.env = env;
        this.properties = properties;
    }

    /**
     * Every setting's value, in the table's order, so that a default may follow a setting above it.
     *
     * @throws ConfigException naming the first setting whose text is no value of its kind
     */
    Map<Setting, Object> read() {
        Map<Setting, Object> values = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            values.put(setting, setting.read(raw(setting), spelling(setting), values));
        }
        return values;
    }

    private String raw(Setting setting) {
        String value = properties.apply(setting.property());
        if (value != null) {
            spelled.put(setting, "-D" + setting.property());
            return value;
        }
        return env.get(setting.variable());
    }

    /** The setting as the user wrote it: {@code CHAT_PORT}, or {@code -Dchat.port}. */
    String spelling(Setting setting) {
        return spelled.getOrDefault(setting, setting.variable());
    }

    /** Refuses a {@code CHAT_} variable that is no setting: a typo would otherwise be ignored in silence. */
    void checkUnknown() {
        Set<String> known = Stream.of(Setting.values()).map(Setting::variable).collect(Collectors.toSet());
        for (String name : new TreeSet<>(env.keySet())) {
            if (name.startsWith("CHAT_") && !known.contains(name)) {
                throw new ConfigException(name, "is not a setting of the chat" + closest(name, known)
                        + "; --help (or the README) lists every setting");
            }
        }
    }

    /** ", did you mean X?" for the known name nearest to {@code name} in edit distance, or nothing when none is near. */
    static String closest(String name, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : new TreeSet<>(known)) {
            int d = editDistance(name, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, name.length() / 3) ? " (did you mean " + best + "?)" : "";
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}

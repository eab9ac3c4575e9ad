package dev.jchat.config;

import dev.jchat.config.Setting.Part;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The values of the settings of some parts of the table, checked when made: what {@link ChatConfig}
 * and its {@code Security} and {@code Engine} share. Immutable, so safe to share.
 */
abstract class Values {

    private final Map<Setting, Object> all; // every setting's value; those of this object's parts are checked
    private final Set<Part> parts;

    /**
     * @param spelling how a setting is named in a message: {@code CHAT_PORT}, or {@code -Dchat.port}
     *                 when a system property gave it
     * @throws ConfigException naming the first setting, in the table's order, whose value is not allowed
     */
    Values(Map<Setting, Object> all, Set<Part> parts, Function<Setting, String> spelling) {
        Map<Setting, Object> values = new EnumMap<>(all);
        for (Setting setting : Setting.values()) {
            if (parts.contains(setting.part())) {
                values.put(setting, setting.normal(values.get(setting)));
            }
        }
        for (Setting setting : Setting.values()) {
            String problem = parts.contains(setting.part()) ? setting.problem(values.get(setting), values, spelling) : null;
            if (problem != null) {
                throw new ConfigException(spelling.apply(setting), problem);
            }
        }
        this.all = Collections.unmodifiableMap(values);
        this.parts = Set.copyOf(parts);
    }

    /** Every setting's value, for a view of some of them. */
    final Map<Setting, Object> all() {
        return all;
    }

    @SuppressWarnings("unchecked")
    final <T> T get(Setting setting) {
        return (T) all.get(setting); // each value has its setting's type: the rule parsed it, or a typed with-method gave it
    }

    final int integer(Setting setting) {
        return (Integer) all.get(setting);
    }

    /** Every value, {@code setting}'s replaced. */
    final Map<Setting, Object> with(Setting setting, Object value) {
        Map<Setting, Object> values = new EnumMap<>(all);
        values.put(setting, value);
        return values;
    }

    /** Every value, the two settings' replaced. */
    final Map<Setting, Object> with(Setting first, Object firstValue, Setting second, Object secondValue) {
        Map<Setting, Object> values = new EnumMap<>(all);
        values.put(first, firstValue);
        values.put(second, secondValue);
        return values;
    }

    /** Every value, those of the settings {@code other} answers for taken from it. */
    final Map<Setting, Object> with(Values other) {
        Map<Setting, Object> values = new EnumMap<>(all);
        mine().forEach(setting -> {
            if (other.parts.contains(setting.part())) {
                values.put(setting, other.all.get(setting));
            }
        });
        return values;
    }

    /** One {@code CHAT_X=value} for each setting of this object's parts, as the startup report shows them. */
    final String report(String separator) {
        return mine().map(setting -> setting.variable() + "=" + setting.report(all.get(setting)))
                .collect(Collectors.joining(separator));
    }

    private Stream<Setting> mine() {
        return Stream.of(Setting.values()).filter(setting -> parts.contains(setting.part()));
    }

    @Override
    public final boolean equals(Object other) {
        return other instanceof Values values && other.getClass() == getClass()
                && mine().allMatch(setting -> Objects.equals(all.get(setting), values.all.get(setting)));
    }

    @Override
    public final int hashCode() {
        return mine().map(all::get).toList().hashCode();
    }

    /** The report on one line; secrets only as set or not, the Redis password never. */
    @Override
    public final String toString() {
        return getClass().getSimpleName() + "[" + report(", ") + "]";
    }
}

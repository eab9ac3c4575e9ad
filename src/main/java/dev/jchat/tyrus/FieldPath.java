package dev.jchat.tyrus;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * A way down from one object through fields its container keeps private, each step a field
 * named with the class that declares it: how the chat reaches what the WebSocket API does not
 * offer. Only names, no container's types, so this class loads where a container is absent
 * (Tomcat has no Tyrus; the WAR has no Grizzly). An object on the way that is not of its step's
 * class (another container's session, a writer of another kind) ends the walk with null. Each
 * step's field is looked up on the first object that has it, or at once with
 * {@link #resolvedIn}, and kept. Thread-safe.
 */
public final class FieldPath {

    /** Tyrus' session class. */
    public static final String TYRUS_SESSION = "org.glassfish.tyrus.core.TyrusSession";

    /**
     * From a Tyrus session to the writer its protocol handler sends every frame through: the
     * session's remote endpoint, its web socket, its protocol handler, its writer (Tyrus 2.1).
     * The launcher goes on from there to the Grizzly connection, Payara's WAR to the servlet's
     * upgrade handler.
     */
    public static final FieldPath TYRUS_WRITER = of(TYRUS_SESSION, "basicRemote")
            .then("org.glassfish.tyrus.core.TyrusRemoteEndpoint", "webSocket")
            .then("org.glassfish.tyrus.core.TyrusWebSocket", "protocolHandler")
            .then("org.glassfish.tyrus.core.ProtocolHandler", "writer");

    private final List<Step> steps;

    private FieldPath(List<Step> steps) {
        this.steps = List.copyOf(steps);
    }

    /** The field {@code field} of objects of class {@code className} (or of a subclass). */
    public static FieldPath of(String className, String field) {
        return new FieldPath(List.of(new Step(className, field)));
    }

    /** This path, then the field {@code field} of what it leads to, when that is a {@code className}. */
    public FieldPath then(String className, String field) {
        List<Step> longer = new ArrayList<>(steps);
        longer.add(new Step(className, field));
        return new FieldPath(longer);
    }

    /** How many fields it goes through. */
    public int length() {
        return steps.size();
    }

    /**
     * Looks every field up now, in {@code loader}: a container without one of them is known at
     * startup rather than at the first walk. Returns this path.
     */
    public FieldPath resolvedIn(ClassLoader loader) throws ReflectiveOperationException {
        for (Step step : steps) {
            step.remember(Class.forName(step.className, false, loader).getDeclaredField(step.name));
        }
        return this;
    }

    /** What the whole path leads to from {@code from}, or null where it does not hold. */
    public Object walk(Object from) throws ReflectiveOperationException {
        return walk(from, steps.size());
    }

    /**
     * What the first {@code count} fields lead to from {@code from}, or null where an object on
     * the way is null or not of its step's class.
     *
     * @throws ReflectiveOperationException where a class of a step's name has no such field: the
     *         container changed, and its caller says so once
     */
    public Object walk(Object from, int count) throws ReflectiveOperationException {
        Object at = from;
        for (Step step : steps.subList(0, count)) {
            Field field = at == null ? null : step.fieldOf(at);
            if (field == null) {
                return null;
            }
            at = field.get(at);
        }
        return at;
    }

    /**
     * Sets the last field of the path, on what the fields before it lead to from {@code from};
     * false where the path does not hold.
     */
    public boolean set(Object from, Object value) throws ReflectiveOperationException {
        Object owner = walk(from, steps.size() - 1);
        Field field = owner == null ? null : steps.get(steps.size() - 1).fieldOf(owner);
        if (field == null) {
            return false;
        }
        field.set(owner, value);
        return true;
    }

    /** One field, named with its declaring class; the field itself once found. */
    private static final class Step {

        final String className;
        final String name;
        private volatile Field found;

        Step(String className, String name) {
            this.className = className;
            this.name = name;
        }

        void remember(Field field) {
            field.setAccessible(true);
            found = field;
        }

        /** The field on {@code owner}, or null when {@code owner} is not of the step's class. */
        Field fieldOf(Object owner) throws NoSuchFieldException {
            Field field = found;
            if (field != null && field.getDeclaringClass().isInstance(owner)) {
                return field;
            }
            for (Class<?> type = owner.getClass(); type != null; type = type.getSuperclass()) {
                if (type.getName().equals(className)) {
                    field = type.getDeclaredField(name);
                    remember(field);
                    return field;
                }
            }
            return null;
        }
    }
}

package dev.jchat.tyrus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How the way down through a container's private fields holds, and how it says it does not. */
class FieldPathTest {

    // A container's classes in miniature: a session holds a handler, which holds a writer.
    private static class Session {
        private final Handler handler;

        Session(Handler handler) {
            this.handler = handler;
        }
    }

    private static final class SubSession extends Session {
        SubSession(Handler handler) {
            super(handler);
        }
    }

    private static final class Handler {
        private Object writer;

        Handler(Object writer) {
            this.writer = writer;
        }
    }

    private static final String SESSION = Session.class.getName();
    private static final String HANDLER = Handler.class.getName();
    private static final FieldPath TO_WRITER = FieldPath.of(SESSION, "handler").then(HANDLER, "writer");

    @Test
    void walksDownByClassNameFromASessionOrASubclassOfIt() throws Exception {
        Object writer = new Object();
        assertSame(writer, TO_WRITER.walk(new Session(new Handler(writer))));
        assertSame(writer, TO_WRITER.walk(new SubSession(new Handler(writer))), "a field declared by a superclass");
        assertEquals(2, TO_WRITER.length());
    }

    @Test
    void anObjectOfAnotherClassOnTheWayEndsTheWalkWithNull() throws Exception {
        assertNull(TO_WRITER.walk("not a session"), "another container's session");
        assertNull(TO_WRITER.walk(null));
        assertNull(TO_WRITER.walk(new Session(null)), "nothing on the way");
        Object found = TO_WRITER.walk(new Session(new Handler("w"))); // the fields are known now
        assertEquals("w", found);
        assertNull(TO_WRITER.walk("still not a session"), "a known field is not read from another class");
    }

    @Test
    void walksPartOfTheWayAndSetsTheLastField() throws Exception {
        Handler handler = new Handler("tyrus' writer");
        Session session = new Session(handler);
        assertSame(handler, TO_WRITER.walk(session, 1));
        assertTrue(TO_WRITER.set(session, "the chat's writer"));
        assertEquals("the chat's writer", handler.writer);
        assertFalse(TO_WRITER.set("not a session", "x"), "nothing set where the way does not hold");
    }

    @Test
    void aRenamedFieldIsAnErrorNotANull() {
        FieldPath renamed = FieldPath.of(SESSION, "handlerRenamed");
        assertThrows(NoSuchFieldException.class, () -> renamed.walk(new Session(new Handler("w"))),
                "a class of the right name without the field: the container changed");
        assertThrows(NoSuchFieldException.class, () -> renamed.resolvedIn(getClass().getClassLoader()));
        assertThrows(ClassNotFoundException.class,
                () -> FieldPath.of("org.example.Gone", "x").resolvedIn(getClass().getClassLoader()),
                "a class gone is known at startup");
    }

    @Test
    void theWayDownFromATyrusSessionHoldsInTheTyrusTheLauncherBundles() throws Exception {
        // the launcher's Tyrus is on the test class path; Payara's is checked by its contract tests
        FieldPath.TYRUS_WRITER.resolvedIn(getClass().getClassLoader());
        assertEquals(4, FieldPath.TYRUS_WRITER.length());
    }
}

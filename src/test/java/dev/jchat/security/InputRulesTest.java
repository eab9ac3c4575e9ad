package dev.jchat.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jchat.message.ErrorCode;
import org.junit.jupiter.api.Test;

class InputRulesTest {

    private static ErrorCode nameRefusal(String raw) {
        return assertThrows(RefusedException.class, () -> InputRules.name(raw)).code();
    }

    @Test
    void namesOfAnyScriptAreTrimmedAndKept() throws RefusedException {
        assertEquals("alice", InputRules.name("  alice "));
        assertEquals("Zoë_2.0-x", InputRules.name("Zoë_2.0-x"));
        assertEquals("山田 太郎", InputRules.name("山田 太郎"));
        assertEquals("नमस्ते", InputRules.name("नमस्ते"));
        assertEquals("абв", InputRules.name("абв"));
        assertEquals("x".repeat(32), InputRules.name("x".repeat(32)));
    }

    @Test
    void namesAreNormalisedSoOneSpellingIsOneName() throws RefusedException {
        assertEquals(InputRules.name("Zo\u00eb"), InputRules.name("Zoe\u0308"));
    }

    @Test
    void badNamesAreInvalidUser() {
        assertEquals(ErrorCode.INVALID_USER, nameRefusal(null));
        assertEquals(ErrorCode.INVALID_USER, nameRefusal("ab"));
        assertEquals(ErrorCode.INVALID_USER, nameRefusal("   ab   "));
        assertEquals(ErrorCode.INVALID_USER, nameRefusal("x".repeat(33)));
        assertEquals(ErrorCode.INVALID_USER, nameRefusal("<b>bold</b>"));
        assertEquals(ErrorCode.INVALID_USER, nameRefusal("tab\there"));
        assertEquals(ErrorCode.INVALID_USER, nameRefusal("bell\u0007"));
        assertEquals(ErrorCode.INVALID_USER, nameRefusal("emoji😀"));
        assertEquals(ErrorCode.INVALID_USER, nameRefusal("a@b.c"));
    }

    @Test
    void roomsFollowTheirAlphabet() throws RefusedException {
        assertEquals("lobby", InputRules.room(null));
        assertEquals("lobby", InputRules.room(""));
        assertEquals("dev_ops-2", InputRules.room("dev_ops-2"));
        assertEquals(ErrorCode.INVALID_QUERY, assertThrows(RefusedException.class, () -> InputRules.room("a b")).code());
        assertThrows(RefusedException.class, () -> InputRules.room("r".repeat(65)));
        assertThrows(RefusedException.class, () -> InputRules.room("café"));
    }

    @Test
    void sinceIsANonNegativeWholeNumber() throws RefusedException {
        assertNull(InputRules.since(null));
        assertEquals(0L, InputRules.since("0"));
        assertEquals(42L, InputRules.since("42"));
        assertThrows(RefusedException.class, () -> InputRules.since("-1"));
        assertThrows(RefusedException.class, () -> InputRules.since("1.5"));
        assertThrows(RefusedException.class, () -> InputRules.since("99999999999999999999"));
    }

    @Test
    void messagesAreTrimmedAndCountedInCharacters() throws RefusedException {
        assertEquals("hi", InputRules.message("  hi \n", 5));
        assertEquals("😀😀😀😀😀", InputRules.message("😀😀😀😀😀", 5));
        assertEquals(ErrorCode.MESSAGE_TOO_LONG,
                assertThrows(RefusedException.class, () -> InputRules.message("😀😀😀😀😀😀", 5)).code());
        assertEquals(ErrorCode.EMPTY_MESSAGE,
                assertThrows(RefusedException.class, () -> InputRules.message(" \t\n\u3000", 5)).code());
    }
}

package dev.jchat.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void namesWithInvisibleCharactersAreRefusedSaySo() {
        for (String raw : new String[] {
                "alice\uFE0F", "ali\u034Fce", "alice\u3164", "alice\u200B", "al\u00ADice", "alice\u2060",
                "alice\u180E", "alice\uFFA0", "\u115Falice", "alice\u1160", "alice\u200D", "alice\u202E",
                "alice\uFEFF", "alice" + Character.toString(0xE0001), "alice" + Character.toString(0xE0100)}) {
            RefusedException refusal = assertThrows(RefusedException.class, () -> InputRules.name(raw), raw);
            assertEquals(ErrorCode.INVALID_USER, refusal.code());
            assertTrue(refusal.getMessage().contains("invisible"), refusal.getMessage());
        }
        // made only of them: the Hangul fillers count as letters, yet render as nothing
        assertEquals(ErrorCode.INVALID_USER, nameRefusal("\u3164\u3164\u3164"));
        assertEquals(ErrorCode.INVALID_USER, nameRefusal("\u200B\u200B\u200B"));
        assertEquals(ErrorCode.INVALID_USER, nameRefusal("\uFE0F\uFE0F\uFE0F"));
    }

    @Test
    void namesThatLookTheSameShareOneSkeleton() throws RefusedException {
        String alice = InputRules.skeleton(InputRules.name("alice"));
        for (String same : new String[] {"Alice", "ALICE", "\uFF41\uFF4C\uFF49\uFF43\uFF45", "\uFF21lice"}) {
            assertEquals(alice, InputRules.skeleton(InputRules.name(same)), same);
        }
        assertEquals(InputRules.skeleton("stra\u00dfe"), InputRules.skeleton("STRASSE"));
        assertEquals(InputRules.skeleton("\uFB01ona"), InputRules.skeleton("fiona"));
        assertEquals(InputRules.skeleton("ali  ce"), InputRules.skeleton("ali ce"));
        assertEquals(InputRules.skeleton("Zo\u00eb"), InputRules.skeleton("ZOE\u0308"));
        assertNotEquals(alice, InputRules.skeleton("alicе"), "another script's letter is another name"); // Cyrillic е
        assertNotEquals(alice, InputRules.skeleton("alice2"));
        assertEquals("Alice", InputRules.name("Alice"), "the name shown keeps its spelling");
    }

    @Test
    void namesMayNotMixScriptsWhoseLettersPassForEachOther() throws RefusedException {
        assertEquals(ErrorCode.INVALID_USER, nameRefusal("\u0430lice")); // Cyrillic а, then Latin
        assertEquals(ErrorCode.INVALID_USER, nameRefusal("p\u0430ypal"));
        assertEquals(ErrorCode.INVALID_USER, nameRefusal("\u03bfscar")); // Greek ο
        assertEquals(ErrorCode.INVALID_USER, nameRefusal("\u0430\u03b1\u0430")); // Cyrillic with Greek
        assertEquals(ErrorCode.INVALID_USER, nameRefusal("\u0905\u0e01\u0e02")); // Devanagari with Thai
        for (String fine : new String[] {"Zo\u00eb \u5c71\u7530", "\u5c71\u7530 \u305f\u308d\u3046", "\u30bf\u30ed\u30a6 Taro",
                "\ud55c\uad6d \u97d3\u570b", "\u0430\u0431\u0432 2", "\u03b1\u03b2\u03b3_1", "Ren\u00e9 \u0928\u092e\u0938\u094d\u0924\u0947"}) {
            assertEquals(fine, InputRules.name(fine));
        }
    }

    @Test
    void aSkeletonIsItsOwnSkeleton() {
        for (String name : new String[] {"Alice", "STRASSE", "\uFF21lice", "\u0130stanbul", "\u03a3\u03bf\u03c6\u03af\u03b1\u03c2",
                "\uFB01ona", "\u2160\u2161\u2162"}) {
            String skeleton = InputRules.skeleton(name);
            assertEquals(skeleton, InputRules.skeleton(skeleton), name);
        }
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

package dev.jchat.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    void everyKindOfLineBreakOrDisguiseBecomesAQuestionMark() {
        assertEquals("a?b?c?d?e?f?g", LogText.printable("a\nb\u0085c\u2028d\u2029e\u202Ef\udc00g"));
        assertEquals("https://chat.example", LogText.printable("https://chat.example"));
        assertEquals("(none)", LogText.printable(null));
    }

    @Test
    void longTextIsCut() {
        assertEquals("x".repeat(200) + "...", LogText.printable("x".repeat(500)));
    }
}

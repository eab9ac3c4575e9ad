package dev.jchat.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code System.Logger} formats a message with parameters by {@link java.text.MessageFormat}, where
 * a single quote starts a quoted part: "a name's hold: {0}" logs "a names hold: {0}", without the
 * error it was to show. Every such message in the sources writes its quotes twice.
 */
class LogFormatsTest {

    private static final Pattern CALL = Pattern.compile(
            "\\.log\\(\\s*(?:System\\.Logger\\.)?Level\\.\\w+\\s*,\\s*((?:\"(?:[^\"\\\\]|\\\\.)*\"\\s*\\+?\\s*)+)");
    private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern SINGLE_QUOTE = Pattern.compile("(?<!')'(?!')");

    @Test
    void messagesWithParametersWriteTheirQuotesTwice() throws IOException {
        List<String> wrong = new ArrayList<>();
        int formats = 0;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher call = CALL.matcher(Files.readString(file));
                while (call.find()) {
                    StringBuilder format = new StringBuilder();
                    Matcher literal = LITERAL.matcher(call.group(1));
                    while (literal.find()) {
                        format.append(literal.group(1));
                    }
                    if (format.toString().matches("(?s).*\\{\\d}.*")) {
                        formats++;
                        if (SINGLE_QUOTE.matcher(format).find()) {
                            wrong.add(file.getFileName() + ": " + format);
                        }
                    }
                }
            }
        }
        assertTrue(formats > 20, "found only " + formats + " formats: the search no longer matches the calls");
        assertEquals(List.of(), wrong);
    }
}

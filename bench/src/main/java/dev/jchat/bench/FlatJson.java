package dev.jchat.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one JSON object, the shape of every frame the server sends, into a map: strings,
 * numbers (as {@code Long}, or {@code Double} when they have a fraction or exponent), booleans,
 * null, lists and nested objects. Strict enough to notice a broken frame, small enough that the
 * bench needs no JSON library. Stateless, so thread-safe.
 */
final class FlatJson {

    private final String text;
    private int at;

    private FlatJson(String text) {
        this.text = text;
    }

    /** The object {@code text} holds; IllegalArgumentException when it is not exactly one JSON object. */
    static Map<String, Object> parse(String text) {
        FlatJson json = new FlatJson(text);
        json.skipSpace();
        if (json.peek() != '{') {
            throw json.fail("an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) json.value();
        json.skipSpace();
        if (json.at != text.length()) {
            throw json.fail("the end");
        }
        return object;
    }

    static String string(Map<String, Object> object, String key) {
        return object.get(key) instanceof String s ? s : null;
    }

    /** A whole number, or -1 when absent or not one. */
    static long number(Map<String, Object> object, String key) {
        return object.get(key) instanceof Long n ? n : -1;
    }

    private Object value() {
        skipSpace();
        char c = peek();
        switch (c) {
            case '{' -> {
                at++;
                Map<String, Object> object = new LinkedHashMap<>();
                skipSpace();
                if (peek() == '}') {
                    at++;
                    return object;
                }
                while (true) {
                    skipSpace();
                    String key = string();
                    skipSpace();
                    expect(':');
                    object.put(key, value());
                    skipSpace();
                    if (peek() == ',') {
                        at++;
                    } else {
                        expect('}');
                        return object;
                    }
                }
            }
            case '[' -> {
                at++;
                List<Object> list = new ArrayList<>();
                skipSpace();
                if (peek() == ']') {
                    at++;
                    return list;
                }
                while (true) {
                    list.add(value());
                    skipSpace();
                    if (peek() == ',') {
                        at++;
                    } else {
                        expect(']');
                        return list;
                    }
                }
            }
            case '"' -> {
                return string();
            }
            case 't' -> {
                return literal("true", Boolean.TRUE);
            }
            case 'f' -> {
                return literal("false", Boolean.FALSE);
            }
            case 'n' -> {
                return literal("null", null);
            }
            default -> {
                return number();
            }
        }
    }

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw fail("four hex digits");
                    }
                    out.append((char) Integer.parseInt(text, at, at + 4, 16));
                    at += 4;
                }
                default -> throw fail("an escape");
            }
        }
    }

    private Object number() {
        int start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        String n = text.substring(start, at);
        if (n.isEmpty()) {
            throw fail("a value");
        }
        try {
            return n.matches("-?\\d+") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
        } catch (NumberFormatException e) {
            throw fail("a number");
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, at)) {
            throw fail(word);
        }
        at += word.length();
        return value;
    }

    private void skipSpace() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }

    private char peek() {
        if (at >= text.length()) {
            throw fail("more input");
        }
        return text.charAt(at);
    }

    private char next() {
        char c = peek();
        at++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            at--;
            throw fail("'" + c + "'");
        }
    }

    private IllegalArgumentException fail(String wanted) {
        return new IllegalArgumentException("expected " + wanted + " at " + at + " of a " + text.length() + "-char frame");
    }
}

package dev.jchat.bench;

import java.util.Random;

/**
 * The soak's chat messages: {@code NAME#SEQ:LEN:BODY}, where BODY is LEN code points of text
 * mixing ASCII with 2-, 3- and 4-byte UTF-8 characters, so that a receiver can tell a message
 * arrived whole and under its sender's name. Lengths vary from 1 to 1900 code points, so the
 * room's history holds real bytes (about a megabyte when full) for the resumers and the stalled
 * reader. Stateless, so thread-safe.
 */
final class SoakText {

    static final int MAX_BODY = 1900; // the server's default limit is 2000 code points, prefix included
    private static final String[] ALPHABET = {
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "k", "l", "m", "n", "o", "r", "s", "t", "u", " ",
        "é", "ß", "日", "本", "😀", "🦊"}; // 2, 3 and 4 bytes in UTF-8; the emoji are surrogate pairs in Java

    private SoakText() {
    }

    /** A chat frame carrying a new message; the text needs no JSON escaping (no quotes, backslashes or controls). */
    static String frame(Random random, String sender, long seq) {
        return "{\"type\":\"chat\",\"msg\":\"" + message(random, sender, seq) + "\"}";
    }

    static String message(Random random, String sender, long seq) {
        int length = 1 + random.nextInt(MAX_BODY);
        StringBuilder body = new StringBuilder(length * 2);
        for (int i = 0; i < length - 1; i++) {
            body.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        body.append('z'); // the server trims white space: the body must not end with any
        return sender + "#" + seq + ":" + length + ":" + body;
    }

    /** True when {@code msg} is one of ours, whole, and {@code user} is the name it was sent under. */
    static boolean intact(String user, String msg) {
        if (user == null || msg == null) {
            return false;
        }
        int hash = msg.indexOf('#');
        int colon = msg.indexOf(':', hash + 1);
        int colon2 = msg.indexOf(':', colon + 1);
        if (hash <= 0 || colon < 0 || colon2 < 0 || !msg.substring(0, hash).equals(user)) {
            return false;
        }
        try {
            int length = Integer.parseInt(msg, colon + 1, colon2, 10);
            return msg.codePointCount(colon2 + 1, msg.length()) == length;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

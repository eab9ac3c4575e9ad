package dev.jchat.endpoint;

import dev.jchat.message.ErrorCode;
import dev.jchat.security.InputRules;
import dev.jchat.security.RefusedException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The query of a connection's URL, validated.
 *
 * @param user  the name asked for, or null to take it from the first message
 * @param room  the room, {@code lobby} by default; null for a version-3 connection opened in no room ({@code room=})
 * @param since the last message id the client saw, or null
 * @param epoch the epoch of {@code since}, or null
 * @param token a signed token given as {@code ?token=}, or null; never log it
 * @param key   the key of the name given as {@code ?key=}, or null; never log it
 * @param version the protocol version asked for with {@code ?v=}: 1, 2 or 3; 2 when absent
 */
public record ConnectionQuery(String user, String room, Long since, String epoch, String token, String key, int version) {

    /** The newest protocol version this server speaks. */
    public static final int LATEST = 3;

    /**
     * Reads the raw query of the handshake ({@code Session.getQueryString}), percent-decoded as
     * UTF-8 (a {@code +} is a space): the containers disagree on the charset of the parameters
     * they parse (Payara's Tyrus reads them as ISO-8859-1, so a name such as {@code Zoë} came out
     * as another string there).
     *
     * @throws RefusedException as {@link #parse(Map)}, and {@code invalid-query} for a broken escape
     */
    public static ConnectionQuery parse(String rawQuery) throws RefusedException {
        Map<String, List<String>> parameters = new HashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String name = decode(equals < 0 ? pair : pair.substring(0, equals));
                String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
                parameters.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            }
        }
        return parse(parameters);
    }

    private static String decode(String part) throws RefusedException {
        try {
            return URLDecoder.decode(part, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new RefusedException(ErrorCode.INVALID_QUERY, "the query holds a broken %-escape");
        }
    }

    /**
     * Reads the parameters as the container parsed them. Unknown parameters are ignored; a
     * known one given twice is refused, as there is no telling which one was meant.
     *
     * @throws RefusedException with {@code invalid-query}, or {@code invalid-user} for the name
     */
    public static ConnectionQuery parse(Map<String, List<String>> parameters) throws RefusedException {
        String user = single(parameters, "user");
        int version = version(single(parameters, "v"));
        String room = single(parameters, "room");
        return new ConnectionQuery(
                user == null ? null : InputRules.name(user),
                version >= 3 && "".equals(room) ? null : InputRules.room(room),
                InputRules.since(single(parameters, "since")),
                InputRules.epoch(single(parameters, "epoch")),
                single(parameters, "token"),
                blankAsNone(single(parameters, "key")),
                version);
    }

    /** Whether the client asked for version 3: many rooms on one connection. */
    public boolean v3() {
        return version >= 3;
    }

    private static int version(String raw) throws RefusedException {
        if (raw == null || raw.isEmpty()) {
            return 2;
        }
        return switch (raw) {
            case "1" -> 1;
            case "2" -> 2;
            case "3" -> 3;
            default -> throw new RefusedException(ErrorCode.INVALID_QUERY, "v must be 1, 2 or 3");
        };
    }

    @Override
    public String toString() {
        return "ConnectionQuery[user=" + user + ", room=" + room + ", since=" + since + ", epoch=" + epoch
                + ", token=" + (token == null ? "none" : "(hidden)") + ", key=" + (key == null ? "none" : "(hidden)") + ", v=" + version + "]";
    }

    private static String blankAsNone(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static String single(Map<String, List<String>> parameters, String name) throws RefusedException {
        List<String> values = parameters.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new RefusedException(ErrorCode.INVALID_QUERY, "\"" + name + "\" is given more than once");
        }
        return values.get(0);
    }
}

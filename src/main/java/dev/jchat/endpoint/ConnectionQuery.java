package dev.jchat.endpoint;

import dev.jchat.message.ErrorCode;
import dev.jchat.security.InputRules;
import dev.jchat.security.RefusedException;
import java.util.List;
import java.util.Map;

/**
 * The query of a connection's URL, validated.
 *
 * @param user  the name asked for, or null to take it from the first message
 * @param room  the room, {@code lobby} by default
 * @param since the last message id the client saw, or null
 * @param epoch the epoch of {@code since}, or null
 * @param token a signed token given as {@code ?token=}, or null; never log it
 * @param key   the key of the name given as {@code ?key=}, or null; never log it
 */
public record ConnectionQuery(String user, String room, Long since, String epoch, String token, String key) {

    /**
     * Reads the parameters as the container parsed them. Unknown parameters are ignored; a
     * known one given twice is refused, as there is no telling which one was meant.
     *
     * @throws RefusedException with {@code invalid-query}, or {@code invalid-user} for the name
     */
    public static ConnectionQuery parse(Map<String, List<String>> parameters) throws RefusedException {
        String user = single(parameters, "user");
        return new ConnectionQuery(
                user == null ? null : InputRules.name(user),
                InputRules.room(single(parameters, "room")),
                InputRules.since(single(parameters, "since")),
                InputRules.epoch(single(parameters, "epoch")),
                single(parameters, "token"),
                blankAsNone(single(parameters, "key")));
    }

    @Override
    public String toString() {
        return "ConnectionQuery[user=" + user + ", room=" + room + ", since=" + since + ", epoch=" + epoch
                + ", token=" + (token == null ? "none" : "(hidden)") + ", key=" + (key == null ? "none" : "(hidden)") + "]";
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

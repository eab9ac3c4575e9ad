package dev.jchat.endpoint;

import dev.jchat.config.ChatConfig;
import dev.jchat.connection.Member;
import dev.jchat.message.ErrorCode;
import dev.jchat.security.InputRules;
import dev.jchat.security.RefusedException;
import dev.jchat.security.TokenVerifier;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Who a connection says it is, read once from its handshake: with container auth, the user the
 * application server authenticated; with token auth, the token's subject (from {@code ?token=} or
 * the subprotocol); in both, whatever {@code ?user=} says. Without either, the query's name and
 * the key presented for it (from {@code ?key=} or the subprotocol), which the engine checks
 * before the connection enters a room. Immutable; never log {@code key}.
 *
 * @param name          the name, or null for a connection that names itself by its first message
 * @param key           the key presented for {@code name}, or null (none, a token's subject, a container's user)
 * @param expires       when the token runs out, or null without token auth
 * @param containerUser whether the name is the application server's authenticated user
 * @param moderatorRole whether that user is in the role {@code CHAT_MODERATOR_ROLE}
 */
record Identity(String name, String key, Instant expires, boolean containerUser, boolean moderatorRole) {

    /**
     * Reads the identity of a handshake.
     *
     * @throws RefusedException with {@code unauthorized} for a missing, wrong or expired token, or
     *                          with container auth, no authenticated user or one whose name is no chat name
     */
    static Identity of(ChatConfig config, Map<String, Object> handshake, ConnectionQuery query, Instant now)
            throws RefusedException {
        if (config.security().auth() == ChatConfig.Auth.CONTAINER) {
            return ofContainer(config.security(), handshake);
        }
        if (config.security().jwtSecret() != null) {
            return ofToken(config, query.token() != null ? query.token() : (String) handshake.get(ChatConfigurator.PROTOCOL_TOKEN),
                    now);
        }
        String key = query.key() != null ? query.key() : (String) handshake.get(ChatConfigurator.PROTOCOL_KEY);
        return new Identity(query.user(), query.user() == null ? null : key, null, false, false);
    }

    /**
     * The identity a token gives (at the handshake, or in a version-3 {@code auth} frame).
     *
     * @throws RefusedException with {@code unauthorized} for a missing, wrong or expired token
     */
    static Identity ofToken(ChatConfig config, String token, Instant now) throws RefusedException {
        TokenVerifier.Identity subject = new TokenVerifier(config.security().jwtSecret()).verify(token, now);
        return new Identity(subject.name(), null, subject.expires(), false, false);
    }

    /** The user the application server authenticated at the handshake (see {@link ChatConfigurator}). */
    private static Identity ofContainer(ChatConfig.Security security, Map<String, Object> handshake)
            throws RefusedException {
        String user = (String) handshake.get(ChatConfigurator.USER);
        if (user == null) {
            throw new RefusedException(ErrorCode.UNAUTHORIZED, "sign in first: this chat takes your name from the server's login");
        }
        String name;
        try {
            name = InputRules.name(user);
        } catch (RefusedException e) {
            throw new RefusedException(ErrorCode.UNAUTHORIZED, "your login's user name is no chat name: " + e.getMessage());
        }
        Object roles = handshake.get(ChatConfigurator.USER_ROLES);
        boolean moderator = roles instanceof Set<?> held && held.contains(security.moderatorRole());
        return new Identity(name, null, null, true, moderator);
    }

    /** Whether the name is a token's subject. */
    boolean tokenSubject() {
        return expires != null;
    }

    /** Whether the name is the connection's own, with no key to check: a token's subject or a container's user. */
    private boolean ownName() {
        return tokenSubject() || containerUser;
    }

    /**
     * Names the member: a token's subject or a container's user is its own; a name from the query
     * is to be claimed or proved.
     */
    void applyTo(Member member) {
        if (name == null) {
            return;
        }
        member.name(name);
        if (ownName()) {
            member.proven(null);
        } else {
            member.claims(key); // claimed, or its key checked, before the connection enters a room
        }
    }

    /**
     * The one place that decides whether a connection is a moderator's (PROTOCOL.md,
     * "Moderation"), once its name is settled: without tokens, a name in {@code CHAT_MODERATORS}
     * that this connection holds with its key (claimed or proved); with container auth, a user
     * in the role {@code CHAT_MODERATOR_ROLE}.
     */
    boolean moderator(Member member, ChatConfig.Security security) {
        if (containerUser) {
            return moderatorRole;
        }
        return !tokenSubject() && member.name() != null && member.proven()
                && security.moderators().contains(member.name());
    }

    @Override
    public String toString() {
        return "Identity[name=" + name + ", key=" + (key == null ? "none" : "(hidden)") + ", expires=" + expires
                + ", containerUser=" + containerUser + ", moderatorRole=" + moderatorRole + "]";
    }
}

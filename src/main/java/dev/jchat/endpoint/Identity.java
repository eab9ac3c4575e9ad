package dev.jchat.endpoint;

import dev.jchat.config.ChatConfig;
import dev.jchat.connection.Member;
import dev.jchat.message.ErrorCode;
import dev.jchat.security.InputRules;
import dev.jchat.security.RefusedException;
import dev.jchat.security.RoomGrant;
import dev.jchat.security.TokenVerifier;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who a connection says it is, read once from its handshake (and again from a version-3
 * {@code auth} frame): with container auth, the user the application server authenticated, with
 * its moderator role; with token auth, the token's name claim (the token from {@code ?token=} or
 * the subprotocol), with its roles and rooms; in both, whatever {@code ?user=} says. Without
 * either, the query's name and the key presented for it (from {@code ?key=} or the subprotocol),
 * which the engine checks before the connection enters a room. Immutable; never log {@code key}.
 *
 * @param name          the name, or null for a connection that names itself by its first message
 * @param key           the key presented for {@code name}, or null (none, a token's name, a container's user)
 * @param expires       when the token runs out (its {@code exp} and the leeway), or null without token auth
 * @param roles         the token's roles, or for a container's user the moderator role when it is in it;
 *                      empty otherwise
 * @param rooms         the only rooms the token opens, or null: any
 * @param containerUser whether the name is the application server's authenticated user
 */
record Identity(String name, String key, Instant expires, List<String> roles, RoomGrant rooms, boolean containerUser) {

    /**
     * Reads the identity of a handshake.
     *
     * @param tokens the server's token verifier, or null when tokens are off
     * @throws RefusedException with {@code unauthorized} for a missing, wrong or expired token, or
     *                          with container auth, no authenticated user or one whose name is no chat name
     */
    static Identity of(ChatConfig.Security security, TokenVerifier tokens, Map<String, Object> handshake,
                       ConnectionQuery query, Instant now) throws RefusedException {
        if (security.auth() == ChatConfig.Auth.CONTAINER) {
            return ofContainer(security, handshake);
        }
        if (tokens != null) {
            return ofToken(tokens, query.token() != null ? query.token() : (String) handshake.get(ChatConfigurator.PROTOCOL_TOKEN),
                    now);
        }
        String key = query.key() != null ? query.key() : (String) handshake.get(ChatConfigurator.PROTOCOL_KEY);
        return new Identity(query.user(), query.user() == null ? null : key, null, List.of(), null, false);
    }

    /**
     * The identity a token gives (at the handshake, or in a version-3 {@code auth} frame).
     *
     * @throws RefusedException with {@code unauthorized} for a missing, wrong or expired token
     */
    static Identity ofToken(TokenVerifier tokens, String token, Instant now) throws RefusedException {
        TokenVerifier.Identity verified = tokens.verify(token, now);
        return new Identity(verified.name(), null, verified.expires(), verified.roles(), verified.rooms(), false);
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
        Object held = handshake.get(ChatConfigurator.USER_ROLES);
        List<String> roles = held instanceof Set<?> set && set.contains(security.moderatorRole())
                ? List.of(security.moderatorRole()) : List.of();
        return new Identity(name, null, null, roles, null, true);
    }

    /** Whether the name is a token's. */
    boolean tokenSubject() {
        return expires != null;
    }

    /** Whether the name is the connection's own, with no key to check: a token's or a container's user. */
    private boolean ownName() {
        return tokenSubject() || containerUser;
    }

    /**
     * Names the member, and limits its rooms: a token's name or a container's user is its own; a
     * name from the query is to be claimed or proved.
     */
    void applyTo(Member member) {
        member.grant(rooms);
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
     * "Moderation"), once its name is settled: a token whose roles claim holds
     * {@code CHAT_MODERATOR_ROLE}, or a container's user in that role (no key needed: the token or
     * the login is the proof); without either, a name in {@code CHAT_MODERATORS} that this
     * connection holds with its key (claimed or proved).
     */
    boolean moderator(Member member, ChatConfig.Security security) {
        if (ownName()) {
            return roles.contains(security.moderatorRole());
        }
        return member.name() != null && member.proven() && security.moderators().contains(member.name());
    }

    @Override
    public String toString() {
        return "Identity[name=" + name + ", key=" + (key == null ? "none" : "(hidden)") + ", expires=" + expires
                + ", roles=" + roles + ", rooms=" + rooms + ", containerUser=" + containerUser + "]";
    }
}

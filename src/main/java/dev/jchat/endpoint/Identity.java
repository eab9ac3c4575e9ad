package dev.jchat.endpoint;

import dev.jchat.config.ChatConfig;
import dev.jchat.connection.Member;
import dev.jchat.security.RefusedException;
import dev.jchat.security.RoomGrant;
import dev.jchat.security.TokenVerifier;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Who a connection says it is, read once from its handshake: with token auth, the token's name
 * claim (the token from {@code ?token=} or the subprotocol), whatever {@code ?user=} says, with its
 * roles and rooms; without it, the query's name and the key presented for it (from {@code ?key=}
 * or the subprotocol), which the engine checks before the connection enters a room. Immutable;
 * never log {@code key}.
 *
 * @param name    the name, or null for a connection that names itself by its first message
 * @param key     the key presented for {@code name}, or null (none, or a token's name)
 * @param expires when the token runs out (its {@code exp} and the leeway), or null without token auth
 * @param roles   the token's roles; empty without token auth
 * @param rooms   the only rooms the token opens, or null: any
 */
record Identity(String name, String key, Instant expires, List<String> roles, RoomGrant rooms) {

    /**
     * Reads the identity of a handshake.
     *
     * @param tokens the server's token verifier, or null when tokens are off
     * @throws RefusedException with {@code unauthorized} for a missing, wrong or expired token
     */
    static Identity of(TokenVerifier tokens, Map<String, Object> handshake, ConnectionQuery query, Instant now)
            throws RefusedException {
        if (tokens != null) {
            String token = query.token() != null ? query.token() : (String) handshake.get(ChatConfigurator.PROTOCOL_TOKEN);
            TokenVerifier.Identity verified = tokens.verify(token, now);
            return new Identity(verified.name(), null, verified.expires(), verified.roles(), verified.rooms());
        }
        String key = query.key() != null ? query.key() : (String) handshake.get(ChatConfigurator.PROTOCOL_KEY);
        return new Identity(query.user(), query.user() == null ? null : key, null, List.of(), null);
    }

    /** Whether the name is a token's: its own, with no key to check. */
    boolean tokenSubject() {
        return expires != null;
    }

    /** Names the member, and limits its rooms: a token's name is its own; a name from the query is to be claimed or proved. */
    void applyTo(Member member) {
        member.grant(rooms);
        if (name == null) {
            return;
        }
        member.name(name);
        if (tokenSubject()) {
            member.proven(null);
        } else {
            member.claims(key); // claimed, or its key checked, before the connection enters a room
        }
    }

    /**
     * The one place that decides whether a connection is a moderator's (PROTOCOL.md,
     * "Moderation"), once its name is settled: with a token, its roles claim holds
     * {@code CHAT_MODERATOR_ROLE} (no key needed: the token is the proof); without tokens, a name
     * in {@code CHAT_MODERATORS} that this connection holds with its key (claimed or proved).
     * Container roles come with container login.
     */
    boolean moderator(Member member, ChatConfig.Security security) {
        if (tokenSubject()) {
            return roles.contains(security.moderatorRole());
        }
        return member.name() != null && member.proven() && security.moderators().contains(member.name());
    }

    @Override
    public String toString() {
        return "Identity[name=" + name + ", key=" + (key == null ? "none" : "(hidden)") + ", expires=" + expires
                + ", roles=" + roles + ", rooms=" + rooms + "]";
    }
}

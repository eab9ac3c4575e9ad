package dev.jchat.endpoint;

import dev.jchat.config.ChatConfig;
import dev.jchat.connection.Member;
import dev.jchat.security.RefusedException;
import dev.jchat.security.TokenVerifier;
import java.time.Instant;
import java.util.Map;

/**
 * Who a connection says it is, read once from its handshake: with token auth, the token's
 * subject (from {@code ?token=} or the subprotocol), whatever {@code ?user=} says; without it, the
 * query's name and the key presented for it (from {@code ?key=} or the subprotocol), which the
 * engine checks before the connection enters a room. Immutable; never log {@code key}.
 *
 * @param name    the name, or null for a connection that names itself by its first message
 * @param key     the key presented for {@code name}, or null (none, or a token's subject)
 * @param expires when the token runs out, or null without token auth
 */
record Identity(String name, String key, Instant expires) {

    /**
     * Reads the identity of a handshake.
     *
     * @throws RefusedException with {@code unauthorized} for a missing, wrong or expired token
     */
    static Identity of(ChatConfig config, Map<String, Object> handshake, ConnectionQuery query, Instant now)
            throws RefusedException {
        if (config.security().jwtSecret() != null) {
            return ofToken(config, query.token() != null ? query.token() : (String) handshake.get(ChatConfigurator.PROTOCOL_TOKEN),
                    now);
        }
        String key = query.key() != null ? query.key() : (String) handshake.get(ChatConfigurator.PROTOCOL_KEY);
        return new Identity(query.user(), query.user() == null ? null : key, null);
    }

    /**
     * The identity a token gives (at the handshake, or in a version-3 {@code auth} frame).
     *
     * @throws RefusedException with {@code unauthorized} for a missing, wrong or expired token
     */
    static Identity ofToken(ChatConfig config, String token, Instant now) throws RefusedException {
        TokenVerifier.Identity subject = new TokenVerifier(config.security().jwtSecret()).verify(token, now);
        return new Identity(subject.name(), null, subject.expires());
    }

    /** Whether the name is a token's subject: its own, with no key to check. */
    boolean tokenSubject() {
        return expires != null;
    }

    /** Names the member: a token's subject is its own; a name from the query is to be claimed or proved. */
    void applyTo(Member member) {
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
     * "Moderation"), once its name is settled: without tokens, a name in {@code CHAT_MODERATORS}
     * that this connection holds with its key (claimed or proved). Token roles and container
     * roles come with the identity issue.
     */
    boolean moderator(Member member, ChatConfig.Security security) {
        return !tokenSubject() && member.name() != null && member.proven()
                && security.moderators().contains(member.name());
    }

    @Override
    public String toString() {
        return "Identity[name=" + name + ", key=" + (key == null ? "none" : "(hidden)") + ", expires=" + expires + "]";
    }
}

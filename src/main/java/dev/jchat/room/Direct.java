package dev.jchat.room;

import dev.jchat.connection.Member;
import dev.jchat.message.ErrorCode;
import dev.jchat.security.InputRules;
import dev.jchat.security.RefusedException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The rules of direct conversations, whatever engine holds them: a room only two names may join,
 * named {@code @A+B} with the names in code-point order. Stateless.
 */
public final class Direct {

    private Direct() {
    }

    /** Whether this room is a direct conversation. */
    public static boolean is(String room) {
        return room.startsWith("@");
    }

    /**
     * The conversation {@code room=@NAME} or {@code room=@A+B} asks for, for a connection named
     * {@code me}: always {@code @A+B}.
     *
     * @throws RefusedException with {@code forbidden} without a name of its own or when neither
     *                          name is {@code me}, or {@code invalid-query} for what is no conversation
     */
    public static String canonical(String asked, String me) throws RefusedException {
        if (me == null) {
            throw new RefusedException(ErrorCode.FORBIDDEN,
                    "a direct conversation needs a name of your own: connect with ?user= and its key");
        }
        String[] names = asked.substring(1).split("\\+", -1);
        String other;
        if (names.length == 1) {
            other = name(names[0]);
        } else if (names.length == 2) {
            String first = name(names[0]);
            String second = name(names[1]);
            if (!first.equals(me) && !second.equals(me)) {
                throw new RefusedException(ErrorCode.FORBIDDEN, "this direct conversation is between two other names");
            }
            other = first.equals(me) ? second : first;
        } else {
            throw new RefusedException(ErrorCode.INVALID_QUERY, "a direct conversation is room=@NAME or room=@A+B");
        }
        if (InputRules.skeleton(other).equals(InputRules.skeleton(me))) { // @ALICE for alice is herself too
            throw new RefusedException(ErrorCode.INVALID_QUERY, "a direct conversation needs another name than yours");
        }
        return byCodePoint(me, other) < 0 ? "@" + me + "+" + other : "@" + other + "+" + me;
    }

    /** The other name of conversation {@code room} for {@code me}, or null when {@code me} is not one of its two. */
    public static String other(String room, String me) {
        int plus = room.indexOf('+');
        String first = room.substring(1, plus);
        String second = room.substring(plus + 1);
        return me.equals(first) ? second : me.equals(second) ? first : null;
    }

    /**
     * Whether {@code member} may join a direct conversation, and whose it is.
     *
     * @param refusal why it may not, or null when it may
     * @param owners  when it may and names are held: the identities of the two claims it belongs
     *                to ({@link Names.Holder#identity}), in the room's order, space-separated; null
     *                with token auth (a token's subject is its own identity)
     */
    public record Admission(RefusedException refusal, String owners) {

        static Admission refused(ErrorCode code, String message) {
            return new Admission(new RefusedException(code, message), null);
        }
    }

    /**
     * Whether {@code member}, its name settled (claimed, proved or a token's), may join
     * {@code room}: only a name of its own, one of the two, and the other one held by someone, as
     * spelled. With token auth no name is held here: any token's subject may be addressed. One
     * that may watches the other name ({@link Peers#watch}) before the answer.
     */
    public static CompletionStage<Admission> admission(String room, Member member, Names names, Peers peers) {
        return admissionByNames(room, member, names).thenCompose(admission -> admission.refusal() != null
                ? CompletableFuture.completedFuture(admission)
                : peers.watch(member, room).thenApply(known -> admission)); // its welcome says if the other is online
    }

    private static CompletionStage<Admission> admissionByNames(String room, Member member, Names names) {
        if (!member.proven()) {
            return CompletableFuture.completedFuture(Admission.refused(ErrorCode.FORBIDDEN,
                    "a direct conversation needs a name of your own: connect with ?user= and its key"));
        }
        String me = member.name();
        String other = other(room, me);
        if (other == null) {
            return CompletableFuture.completedFuture(
                    Admission.refused(ErrorCode.FORBIDDEN, "this direct conversation is between two other names"));
        }
        if (member.key() == null) {
            return CompletableFuture.completedFuture(new Admission(null, null)); // a token's subject
        }
        String mine = Names.digest(member.key());
        return names.holder(other).thenApply(holder -> {
            if (holder == null) {
                return Admission.refused(ErrorCode.UNKNOWN_USER,
                        "nobody holds that name; a direct conversation needs its holder");
            }
            if (!holder.name().equals(other)) {
                return Admission.refused(ErrorCode.UNKNOWN_USER,
                        "nobody holds that name as spelt; a direct conversation names its holder as it spells its name");
            }
            boolean meFirst = room.startsWith("@" + me + "+");
            return new Admission(null, meFirst ? mine + " " + holder.identity() : holder.identity() + " " + mine);
        });
    }

    /** A name of the room asked for, as names are read everywhere (trimmed, NFC). */
    private static String name(String raw) throws RefusedException {
        try {
            return InputRules.name(raw);
        } catch (RefusedException e) {
            throw new RefusedException(ErrorCode.INVALID_QUERY, "a direct conversation names valid names: " + e.getMessage());
        }
    }

    private static int byCodePoint(String a, String b) {
        return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }
}

package dev.jchat.engine.redis;

import dev.jchat.connection.Member;
import java.util.ArrayList;
import java.util.List;

/**
 * A member's join to a {@link RedisRoom}, or its naming by its first message, still on its way
 * (the room's first sync, a claim or a check in Redis), and what the member asked for meanwhile,
 * done once it is through. Touched only by the room's tasks.
 */
final class Waiting {
    final Member member;
    final Long since;
    final String epoch;
    final boolean joining;
    final List<Runnable> later = new ArrayList<>();
    boolean ready; // a join whose name is claimed or proved (or needs neither)
    long afterSync = -1; // its client saw more than the copy: the sync it waits for
    boolean caughtUp;    // it waited for that sync, or long enough: it joins with what the copy has
    long afterLoad; // the load it must wait for: one read after its conversation started over

    Waiting(Member member, Long since, String epoch, boolean joining) {
        this.member = member;
        this.since = since;
        this.epoch = epoch;
        this.joining = joining;
    }
}

package dev.jchat.engine.redis;

import dev.jchat.connection.Frame;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a sync reads of a room ({@code load.lua}): its epoch and newest id, the presence version,
 * the newest entries of its log (oldest first, with their ids; a chat message as it is now), the
 * ids of edits that are gone with the message they edited (oldest first: not lost, nothing to
 * deliver), the names online, and the room's mutes and bans as the entries up to its newest id
 * left them ({@link SanctionsHash}: field, value...), and {@code goneUpTo}: the newest id of an
 * entry the stream dropped to make room for newer ones, not a chat message (0: none), so that
 * what the copy holds from before it is not taken for all there was. Immutable.
 */
record Snapshot(String epoch, long lastId, long version, List<Long> ids, List<Frame> frames, List<Long> forgotten,
                List<String> names, List<String> sanctions, long goneUpTo) {

    /** The script's reply: {epoch, seq, version, entries (newest first), names online, sanctions, gone}. */
    @SuppressWarnings("unchecked")
    static Snapshot of(List<Object> reply) {
        List<Object> entries = (List<Object>) reply.get(3);
        List<Long> ids = new ArrayList<>(entries.size());
        List<Frame> frames = new ArrayList<>(entries.size());
        List<Long> forgotten = new ArrayList<>();
        for (Object entry : entries) { // newest first: [ "<id>-0", [ "f", frame ] ], or [ "<id>-0", [ "x", "" ] ]
            List<Object> pair = (List<Object>) entry;
            String streamId = (String) pair.get(0);
            List<Object> fields = (List<Object>) pair.get(1);
            long id = Long.parseLong(streamId.substring(0, streamId.indexOf('-')));
            if ("x".equals(fields.get(0))) {
                forgotten.add(id);
            } else {
                ids.add(id);
                frames.add(Frame.of((String) fields.get(1)));
            }
        }
        Collections.reverse(ids);
        Collections.reverse(frames);
        Collections.reverse(forgotten);
        List<String> names = ((List<Object>) reply.get(4)).stream().map(String.class::cast).toList();
        List<String> sanctions = ((List<Object>) reply.get(5)).stream().map(String.class::cast).toList();
        return new Snapshot((String) reply.get(0), Long.parseLong((String) reply.get(1)),
                Long.parseLong((String) reply.get(2)), ids, frames, forgotten, names, sanctions,
                Long.parseLong((String) reply.get(6)));
    }
}

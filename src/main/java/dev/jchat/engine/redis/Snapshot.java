package dev.jchat.engine.redis;

import dev.jchat.connection.Frame;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a sync reads of a room ({@code load.lua}): its epoch and newest id, the presence version,
 * the newest messages (oldest first, with their ids) and the names online. Immutable.
 */
record Snapshot(String epoch, long lastId, long version, List<Long> ids, List<Frame> frames, List<String> names) {

    /** The script's reply: {epoch, seq, version, entries (newest first), names online}. */
    @SuppressWarnings("unchecked")
    static Snapshot of(List<Object> reply) {
        List<Object> entries = (List<Object>) reply.get(3);
        List<Long> ids = new ArrayList<>(entries.size());
        List<Frame> frames = new ArrayList<>(entries.size());
        for (Object entry : entries) { // newest first: [ "<id>-0", [ "f", frame ] ]
            List<Object> pair = (List<Object>) entry;
            String streamId = (String) pair.get(0);
            List<Object> fields = (List<Object>) pair.get(1);
            ids.add(Long.parseLong(streamId.substring(0, streamId.indexOf('-'))));
            frames.add(Frame.of((String) fields.get(1)));
        }
        Collections.reverse(ids);
        Collections.reverse(frames);
        List<String> names = ((List<Object>) reply.get(4)).stream().map(String.class::cast).toList();
        return new Snapshot((String) reply.get(0), Long.parseLong((String) reply.get(1)),
                Long.parseLong((String) reply.get(2)), ids, frames, names);
    }
}

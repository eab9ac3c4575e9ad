package dev.jchat.room;

import dev.jchat.ChatConfig;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Rooms in this JVM's memory. Thread-safe. A room that never had a message is dropped when its
 * last member leaves, so that made-up room names cost nothing once their connections are gone.
 */
public final class LocalRooms implements RoomRegistry {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConcurrentMap<String, LocalRoom> rooms = new ConcurrentHashMap<>();
    private final int historySize;
    private final int historyReplay;

    public LocalRooms(ChatConfig config) {
        this.historySize = config.historySize();
        this.historyReplay = config.historyReplay();
    }

    @Override
    public Room join(String name, Member member, Long since, String epoch) {
        while (true) {
            LocalRoom room = rooms.computeIfAbsent(name, this::create);
            if (room.join(member, since, epoch)) {
                return room;
            }
            // it retired between the lookup and the join: its replacement is a computeIfAbsent away
        }
    }

    /** Number of rooms held, for tests and metrics. */
    public int size() {
        return rooms.size();
    }

    void retire(LocalRoom room) {
        rooms.remove(room.name(), room);
    }

    private LocalRoom create(String name) {
        // In-memory ids restart with the process: a fresh epoch tells clients their old ids mean nothing here.
        String epoch = Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
        return new LocalRoom(this, name, epoch, historySize, historyReplay);
    }
}

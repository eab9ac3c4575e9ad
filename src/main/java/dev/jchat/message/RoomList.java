package dev.jchat.message;

import java.util.List;

/** The room directory: rooms with anyone online, most people first, then by name. */
public record RoomList(List<Entry> rooms) implements ServerFrame {

    /** One room of the directory: distinct names online, and the id of its newest message. */
    public record Entry(String room, int online, long lastId) {
    }

    public RoomList {
        rooms = List.copyOf(rooms);
    }
}

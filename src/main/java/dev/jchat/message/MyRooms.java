package dev.jchat.message;

import java.util.List;

/**
 * Version 3's answer to {@code {"type":"rooms","mine":true}}: the name's rooms, the most recently
 * active first. Encoded by {@link FrameEncoder#myRooms} (its {@code type} is the directory's,
 * {@code rooms}, told apart by {@code mine}). Immutable.
 */
public record MyRooms(List<Entry> rooms) {

    /**
     * One of the name's rooms: distinct names online, its newest id, the id the name read up to
     * (0: none), and its unread chat messages and mentions ({@code unread} and {@code mentions}
     * null when they could not be counted).
     */
    public record Entry(String room, int online, long lastId, long read, Integer unread, Integer mentions) {
    }

    public MyRooms {
        rooms = List.copyOf(rooms);
    }
}

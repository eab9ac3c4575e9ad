package dev.jchat.connection;

import dev.jchat.room.Room;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rooms one connection is in or joining, by name, in the order it entered them, with the
 * name a client wrote for a room where it differs ({@code @bob} for {@code @alice+bob}). Every
 * connection has one, most of them for a single room, so it is two small arrays rather than maps
 * (a lookup scans at most {@code CHAT_MAX_ROOMS_PER_CONNECTION} names). Not thread-safe: its
 * {@link Member} guards it.
 */
final class Subscriptions {

    private String[] names = new String[1]; // the rooms' names, the first {@code count} in use
    private Room[] rooms = new Room[1];     // the room of each name, null while its join call runs
    private String[] asked;                // how the client wrote each name, where it differs; null until one does
    private int count;

    boolean contains(String name) {
        return indexOf(name) >= 0;
    }

    /** The room of that name, or null (not in it, or still in its join call). */
    Room get(String name) {
        int i = indexOf(name);
        return i < 0 ? null : rooms[i];
    }

    /** Adds a room being joined, written {@code askedAs} by the client; the name must be new. */
    void reserve(String name, String askedAs) {
        if (count == names.length) {
            names = Arrays.copyOf(names, count * 2);
            rooms = Arrays.copyOf(rooms, count * 2);
            if (asked != null) {
                asked = Arrays.copyOf(asked, count * 2);
            }
        }
        names[count] = name;
        rooms[count] = null;
        if (!askedAs.equals(name)) {
            if (asked == null) {
                asked = new String[names.length];
            }
            asked[count] = askedAs;
        } else if (asked != null) {
            asked[count] = null;
        }
        count++;
    }

    /** The join call for {@code name} returned its room; nothing happens if it was dropped meanwhile. */
    void joined(String name, Room room) {
        int i = indexOf(name);
        if (i >= 0) {
            rooms[i] = room;
        }
    }

    /** Drops the room of that name; returns it, or null (not in it, or still in its join call). */
    Room remove(String name) {
        int i = indexOf(name);
        if (i < 0) {
            return null;
        }
        Room was = rooms[i];
        int after = count - i - 1;
        System.arraycopy(names, i + 1, names, i, after);
        System.arraycopy(rooms, i + 1, rooms, i, after);
        if (asked != null) {
            System.arraycopy(asked, i + 1, asked, i, after);
            asked[count - 1] = null;
        }
        count--;
        names[count] = null;
        rooms[count] = null;
        return was;
    }

    /** How the client wrote the room's name ({@code name} itself when it wrote it so, or left it). */
    String asked(String name) {
        int i = indexOf(name);
        return i < 0 || asked == null || asked[i] == null ? name : asked[i];
    }

    int size() {
        return count;
    }

    /** Drops them all; returns the rooms it was in or joining, whose join call returned. */
    List<Room> clear() {
        List<Room> was = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (rooms[i] != null) {
                was.add(rooms[i]);
            }
        }
        Arrays.fill(names, 0, count, null);
        Arrays.fill(rooms, 0, count, null);
        asked = null;
        count = 0;
        return was;
    }

    private int indexOf(String name) {
        for (int i = 0; i < count; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }
}

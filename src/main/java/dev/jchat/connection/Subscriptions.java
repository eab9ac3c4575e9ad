package dev.jchat.connection;

import dev.jchat.room.Room;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rooms one connection is in or joining, by name, in the order it entered them, with the
 * name a client wrote for a room where it differs ({@code @bob} for {@code @alice+bob}). Every
 * connection has one, most of them for a single room: the first room is kept in fields, the
 * others in small arrays made when a second comes (a lookup scans at most
 * {@code CHAT_MAX_ROOMS_PER_CONNECTION} names). Not thread-safe: its {@link Member} guards it.
 */
final class Subscriptions {

    private String name0;   // the first room's name, while count > 0
    private Room room0;     // its room, null while its join call runs
    private String asked0;  // how the client wrote it, where it differs
    private String[] names; // the rooms after the first, the first count - 1 in use; null until a second
    private Room[] rooms;
    private String[] asked;
    private int count;

    boolean contains(String name) {
        return indexOf(name) >= 0;
    }

    /** The room of that name, or null (not in it, or still in its join call). */
    Room get(String name) {
        int i = indexOf(name);
        return i < 0 ? null : roomAt(i);
    }

    /** Adds a room being joined, written {@code askedAs} by the client; the name must be new. */
    void reserve(String name, String askedAs) {
        String as = askedAs.equals(name) ? null : askedAs;
        if (count > 0 && (names == null || count - 1 == names.length)) {
            int size = names == null ? 1 : names.length * 2;
            names = names == null ? new String[size] : Arrays.copyOf(names, size);
            rooms = rooms == null ? new Room[size] : Arrays.copyOf(rooms, size);
            asked = asked == null ? new String[size] : Arrays.copyOf(asked, size);
        }
        set(count, name, null, as);
        count++;
    }

    /** The join call for {@code name} returned its room; nothing happens if it was dropped meanwhile. */
    void joined(String name, Room room) {
        int i = indexOf(name);
        if (i >= 0) {
            set(i, name, room, askedAt(i));
        }
    }

    /** Drops the room of that name; returns it, or null (not in it, or still in its join call). */
    Room remove(String name) {
        int i = indexOf(name);
        if (i < 0) {
            return null;
        }
        Room was = roomAt(i);
        for (int j = i; j < count - 1; j++) {
            set(j, nameAt(j + 1), roomAt(j + 1), askedAt(j + 1));
        }
        count--;
        set(count, null, null, null);
        return was;
    }

    /** How the client wrote the room's name ({@code name} itself when it wrote it so, or left it). */
    String asked(String name) {
        int i = indexOf(name);
        String as = i < 0 ? null : askedAt(i);
        return as == null ? name : as;
    }

    int size() {
        return count;
    }

    /** Drops them all; returns the rooms it was in or joining, whose join call returned. */
    List<Room> clear() {
        List<Room> was = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (roomAt(i) != null) {
                was.add(roomAt(i));
            }
        }
        name0 = null;
        room0 = null;
        asked0 = null;
        names = null;
        rooms = null;
        asked = null;
        count = 0;
        return was;
    }

    private int indexOf(String name) {
        for (int i = 0; i < count; i++) {
            if (nameAt(i).equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private String nameAt(int i) {
        return i == 0 ? name0 : names[i - 1];
    }

    private Room roomAt(int i) {
        return i == 0 ? room0 : rooms[i - 1];
    }

    private String askedAt(int i) {
        return i == 0 ? asked0 : asked[i - 1];
    }

    private void set(int i, String name, Room room, String as) {
        if (i == 0) {
            name0 = name;
            room0 = room;
            asked0 = as;
        } else if (names != null && i - 1 < names.length) {
            names[i - 1] = name;
            rooms[i - 1] = room;
            asked[i - 1] = as;
        }
    }
}

/**
 * The in-memory engine: rooms, their ids and name holds in this JVM alone, gone with the process.
 * {@link dev.jchat.engine.memory.LocalRooms} is the registry, {@link dev.jchat.engine.memory.LocalRoom}
 * numbers a room's messages and hands each to the room's {@link dev.jchat.room.Audience} exactly as
 * the Redis engine hands over what Redis numbered, and {@link dev.jchat.engine.memory.LocalNames}
 * keeps name holds. What both engines share (room state, history, presence, the seam
 * {@link dev.jchat.room.RoomRegistry}) is in {@link dev.jchat.room}.
 */
package dev.jchat.engine.memory;

/**
 * One connection, as the rooms and the server see it: {@link dev.jchat.connection.Member} (its
 * name and what the name is to it, its rooms, its timers, its last read), its writer
 * {@link dev.jchat.connection.Outbox} (one send in flight, the byte and time limits, a close queued
 * behind the frames it follows), the {@link dev.jchat.connection.Frame} it sends (encoded once,
 * shared by every recipient), the {@link dev.jchat.connection.Closer} that closes a connection the
 * server gave up on outside every lock, and {@link dev.jchat.connection.Connections}, what a
 * container does below the WebSocket API (each runtime has its own).
 */
package dev.jchat.connection;

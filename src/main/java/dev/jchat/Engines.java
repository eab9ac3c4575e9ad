package dev.jchat;

import dev.jchat.config.ChatConfig;
import dev.jchat.engine.memory.LocalRooms;
import dev.jchat.engine.redis.RedisRooms;
import dev.jchat.ChatHub;
import dev.jchat.connection.Connections;

/** The one place that picks where rooms live, for the launcher and the web application alike. */
public final class Engines {

    private Engines() {
    }

    /** A hub whose rooms are in Redis when {@code CHAT_REDIS_URL} is set, else in this JVM's memory. */
    public static ChatHub hub(ChatConfig config, Connections connections) {
        if (config.engine().redis()) {
            return new ChatHub(config, hub -> new RedisRooms(config, hub), connections);
        }
        return inMemory(config, connections);
    }

    /** A hub whose rooms live in this JVM's memory. */
    public static ChatHub inMemory(ChatConfig config, Connections connections) {
        return new ChatHub(config, hub -> new LocalRooms(config, hub), connections);
    }
}

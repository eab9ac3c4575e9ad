package dev.jchat.engine.memory;

import dev.jchat.ChatHub;
import dev.jchat.message.ServerFrame;
import dev.jchat.webhook.OnlineNames;
import dev.jchat.webhook.WebhookEvents;
import dev.jchat.webhook.Webhooks;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;

/**
 * The memory engine's webhook events: each eventful entry of a room's log as the room numbers it,
 * and {@code online} and {@code offline} for the names of this server, which is the whole chat.
 * They wait in {@link Webhooks}' memory, at most {@link Webhooks#MAX_WAITING}: past it an event is
 * dropped (a log line, {@code chat_webhook_dropped_total{reason="full"}}), and all are lost with
 * the process. Thread-safe.
 */
final class LocalWhereabouts implements OnlineNames.Whereabouts {

    private final ChatHub hub;
    private final Webhooks webhooks;
    private final Duration grace;
    // guarded by this
    private final Set<String> announced = new HashSet<>(); // names whose online went out, and no offline since
    private final Map<String, ScheduledFuture<?>> leaving = new HashMap<>(); // names gone, their offline due

    LocalWhereabouts(ChatHub hub, Webhooks webhooks) {
        this.hub = hub;
        this.webhooks = webhooks;
        this.grace = Duration.ofSeconds(hub.config().offlineGraceSeconds());
        hub.metrics().webhookBacklog(webhooks::waiting);
    }

    /**
     * An entry the room numbered, handed over under the room's lock, so that a room's events are
     * taken in id order ({@link Webhooks#offer} only queues). One that makes no event is ignored.
     */
    void entry(String room, ServerFrame entry) {
        if (WebhookEvents.eventful(entry)) {
            String id = UUID.randomUUID().toString();
            offer(new Webhooks.Event(id, Webhooks.room(room), System.currentTimeMillis(),
                    WebhookEvents.entry(id, entry), () -> { }));
        }
    }

    @Override
    public synchronized void here(String name) {
        ScheduledFuture<?> due = leaving.remove(name);
        if (due != null) {
            due.cancel(false); // back within the grace: neither offline nor online
        }
        if (announced.add(name)) {
            offer(nameEvent(WebhookEvents.ONLINE, name));
        }
    }

    @Override
    public synchronized void gone(String name) {
        ScheduledFuture<?>[] due = new ScheduledFuture<?>[1];
        due[0] = hub.schedule(() -> offline(name, due[0]), grace);
        if (due[0] != null) {
            leaving.put(name, due[0]);
        }
    }

    private synchronized void offline(String name, ScheduledFuture<?> due) {
        // only the latest departure's, and only if the name did not come back (here() removed it)
        if (leaving.get(name) == due && leaving.remove(name) != null && announced.remove(name)) {
            offer(nameEvent(WebhookEvents.OFFLINE, name));
        }
    }

    private Webhooks.Event nameEvent(String event, String name) {
        String id = UUID.randomUUID().toString();
        return new Webhooks.Event(id, Webhooks.name(name), System.currentTimeMillis(),
                WebhookEvents.name(id, event, name, Instant.now()), () -> { });
    }

    private void offer(Webhooks.Event event) {
        if (!webhooks.offer(event)) {
            hub.metrics().webhookDropped("full");
            hub.events().record(Level.ERROR, "webhook event dropped: " + webhooks.capacity()
                    + " events wait for the receiver already (the memory engine's bound)", null);
        }
    }
}

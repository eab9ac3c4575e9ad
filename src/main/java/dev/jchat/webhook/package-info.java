/**
 * Webhooks (docs/API.md, "Webhooks"): the events of the chat POSTed to {@code CHAT_WEBHOOK_URL},
 * signed, retried, in order per room. {@link dev.jchat.webhook.WebhookEvents} makes the bodies,
 * {@link dev.jchat.webhook.WebhookSender} sends one, {@link dev.jchat.webhook.Webhooks} delivers
 * what an engine hands it (bounded, retried, per lane in order), and
 * {@link dev.jchat.webhook.OnlineNames} counts this server's connections per name for
 * {@code online} and {@code offline}. Where events wait is the engine's: in memory
 * ({@code engine.memory.LocalWhereabouts}) or in a Redis stream ({@code engine.redis.RedisWebhooks}).
 */
package dev.jchat.webhook;

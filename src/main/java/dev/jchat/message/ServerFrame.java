package dev.jchat.message;

import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;

/**
 * A frame the server sends. JSON-B writes the {@code type} key from the subtype's alias.
 * Implementations are immutable records.
 */
@JsonbTypeInfo(key = "type", value = {
    @JsonbSubtype(alias = "welcome", type = Welcome.class),
    @JsonbSubtype(alias = "chat", type = ChatMessage.class),
    @JsonbSubtype(alias = "join", type = Join.class),
    @JsonbSubtype(alias = "leave", type = Leave.class),
    @JsonbSubtype(alias = "pong", type = Pong.class),
    @JsonbSubtype(alias = "error", type = ErrorFrame.class),
    @JsonbSubtype(alias = "typing", type = Typing.class),
    @JsonbSubtype(alias = "rooms", type = RoomList.class),
    @JsonbSubtype(alias = "notice", type = Notice.class),
    @JsonbSubtype(alias = "unsubscribed", type = Unsubscribed.class),
    @JsonbSubtype(alias = "edit", type = LogEntry.Edit.class),
    @JsonbSubtype(alias = "delete", type = LogEntry.Delete.class),
    @JsonbSubtype(alias = "reaction", type = LogEntry.Reaction.class),
    @JsonbSubtype(alias = "moderation", type = LogEntry.Moderation.class),
    @JsonbSubtype(alias = "read", type = ReadPosition.class),
    @JsonbSubtype(alias = "seen", type = Seen.class),
    @JsonbSubtype(alias = "online", type = Online.class),
    @JsonbSubtype(alias = "auth", type = AuthAnswer.class)
})
public sealed interface ServerFrame
        permits Welcome, ChatMessage, Join, Leave, Pong, ErrorFrame, Typing, RoomList, Notice, Unsubscribed, LogEntry,
        ReadPosition, Seen, Online, AuthAnswer {
}

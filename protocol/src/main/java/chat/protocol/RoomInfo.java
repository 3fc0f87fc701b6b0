package chat.protocol;

import java.util.List;

/**
 * A room as its members see it. For a DM, {@code name} and {@code owner} are null, {@code admins} empty,
 * and {@code members} holds the two users.
 */
public record RoomInfo(
    String roomId,
    RoomKind kind,
    String name,
    Visibility visibility,
    String createdBy,
    List<String> members,
    long lastSeq,
    long createdAt,
    String owner,
    List<String> admins) {}

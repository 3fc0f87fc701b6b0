package chat.protocol;

/**
 * One entry of {@code list_rooms}. For a DM, {@code peer} is the other user and {@code name} is null.
 * {@code readSeq}: the user's read marker; {@code unread}: messages from others after it.
 * {@code notifications}: the user's push choice for the room (set_room_notifications).
 */
public record RoomSummary(
    String roomId, RoomKind kind, String name, String peer, long readSeq, long unread, NotificationLevel notifications) {

  public RoomSummary {
    notifications = notifications == null ? NotificationLevel.ALL : notifications;
  }
}

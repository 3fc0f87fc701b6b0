package chat.node.user;

import chat.node.push.PushCandidate;
import chat.node.push.PushRequest;
import chat.node.room.ChatRoom;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a user is pushed about a message, decided from what the session knows once the acknowledgement
 * window has passed: no push for one's own messages, for rooms the user was not in at that seq or muted,
 * for a message the user already read, or one that any of the user's devices acknowledged receiving.
 * Everything else is pushed, whether or not a device is connected: a connection that does not acknowledge
 * within the window is not trusted to have shown the message.
 */
final class PushPolicy {

  private PushPolicy() {}

  /**
   * {@code membership}: the user's record of the room, or null if the session has not heard of it yet (the
   * room, which listed the user as a member, is trusted then). {@code readSeq}: the user's read marker;
   * {@code deliveredSeq}: the highest seq any device acknowledged; {@code unread}, {@code badge}: the
   * user's unread messages in this room and in all rooms.
   */
  static Optional<PushRequest> decide(
      String user, PushCandidate message, UserSession.Membership membership, PushSettings settings,
      long readSeq, long deliveredSeq, long unread, long badge) {
    if (user.equals(message.sender())
        || (membership != null && (!membership.member() || membership.seq() >= message.seq()))) {
      return Optional.empty();
    }
    PushSettings.Level level = settings.level(message.roomId());
    if (level == PushSettings.Level.MUTED || readSeq >= message.seq() || deliveredSeq >= message.seq()) {
      return Optional.empty();
    }
    String preview = level == PushSettings.Level.NO_PREVIEW || settings.previewsOff() ? null : message.preview();
    // the devices are added by the projection, once per user rather than once per request
    return Optional.of(new PushRequest(PushRequest.SCHEMA, PushRequest.dedupKey(message.roomId(), message.seq(), user),
        user, message.roomId(), message.roomName(), message.kind() == ChatRoom.Kind.DM ? "dm" : "group",
        message.seq(), message.sender(), message.sentAt(), preview, Math.max(unread, 1), Math.max(badge, 1), List.of()));
  }

  /** The user's push tokens, of devices the session still knows. */
  static List<PushRequest.PushDevice> devices(PushSettings settings, Map<String, UserSession.Device> devices) {
    return settings.tokens().entrySet().stream()
        .filter(e -> devices.containsKey(e.getKey()))
        .sorted(Map.Entry.comparingByKey())
        .map(e -> new PushRequest.PushDevice(e.getKey(), e.getValue().platform(), e.getValue().token()))
        .toList();
  }
}

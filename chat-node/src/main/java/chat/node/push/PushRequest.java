package chat.node.push;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One message that a user should be told about by a push notification: the value of a record on
 * {@link PushTopics#REQUESTS}, keyed by {@link #user}, as JSON (schema {@link #SCHEMA}, documented in
 * docs/push.md). Produced at least once: consumers drop repeats by {@link #dedupKey}.
 *
 * <p>{@code preview} is null when the user or the room opted out of previews. {@code unread} counts this
 * room, {@code badge} all the user's rooms. {@code devices} are the user's registered push tokens (maybe
 * none: the record is produced anyway, so that every message to an offline member is accounted for).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record PushRequest(
    int schema, String dedupKey, String user, String roomId, String roomName, String roomKind, long seq,
    String sender, long sentAt, String preview, long unread, long badge, List<PushDevice> devices) {

  public static final int SCHEMA = 1;
  /** Previews are cut to this many characters (whole code points), with an ellipsis. */
  public static final int PREVIEW_MAX_CHARS = 120;

  public PushRequest {
    devices = List.copyOf(devices);
  }

  public PushRequest withDevices(List<PushDevice> targets) {
    return new PushRequest(schema, dedupKey, user, roomId, roomName, roomKind, seq, sender, sentAt, preview, unread,
        badge, targets);
  }

  /** Unique per message and recipient: {@code roomId:seq:user}. */
  public static String dedupKey(String roomId, long seq, String user) {
    return roomId + ":" + seq + ":" + user;
  }

  /** A device's push registration. {@code platform} is {@code fcm} or {@code apns}. */
  public record PushDevice(String deviceId, String platform, String token) {}
}

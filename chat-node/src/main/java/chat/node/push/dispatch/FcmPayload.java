package chat.node.push.dispatch;

import chat.node.push.PushJson;
import chat.node.push.PushRequest;
import chat.node.push.PushRequest.PushDevice;
import chat.protocol.PushPlatform;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;

/**
 * The FCM HTTP v1 request for one device: {@code {"message": {"token", "notification": {"title", "body"},
 * "data": {...}, "android": {"priority": "high", "ttl", "notification": {"tag"}}}}}. {@code data} values are
 * strings, as FCM requires. The notification tag is the SHA-256 of the dedupKey, as APNs' collapse id: a repeat
 * that gets past the dispatcher replaces the notification on the device instead of showing twice.
 *
 * <p>No {@code collapse_key}: FCM keeps at most four collapse keys per device, so one per message would make it
 * discard messages, and one per room would show only a room's newest message to a device that was offline.
 * No {@code apns} block: iOS devices are sent to APNs directly.
 */
public final class FcmPayload {

  private FcmPayload() {}

  /** {@code ttl}: how long FCM keeps the message for a device that is offline. */
  public static PushMessage build(PushRequest request, PushDevice device, Duration ttl) {
    ObjectNode root = PushJson.MAPPER.createObjectNode();
    ObjectNode message = root.putObject("message");
    message.put("token", device.token());
    ObjectNode notification = message.putObject("notification");
    notification.put("title", PushText.title(request));
    notification.put("body", PushText.body(request));
    ObjectNode data = message.putObject("data");
    putIfPresent(data, "roomId", request.roomId());
    putIfPresent(data, "roomKind", request.roomKind());
    data.put("seq", Long.toString(request.seq()));
    putIfPresent(data, "sender", request.sender());
    putIfPresent(data, "dedupKey", request.dedupKey());
    data.put("unread", Long.toString(request.unread()));
    data.put("badge", Long.toString(request.badge()));
    ObjectNode android = message.putObject("android");
    android.put("priority", "high");
    android.put("ttl", Math.max(0, ttl.toSeconds()) + "s");
    // a repeat of the same message replaces the notification shown rather than adding a second one
    android.putObject("notification").put("tag", Digests.sha256Hex(request.dedupKey()));
    return new PushMessage(PushPlatform.FCM, request.dedupKey(), device.deviceId(), device.token(),
        PushJson.writeString(root), Map.of());
  }

  private static void putIfPresent(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }
}

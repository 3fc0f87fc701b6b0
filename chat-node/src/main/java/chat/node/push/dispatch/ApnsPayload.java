package chat.node.push.dispatch;

import chat.node.push.PushJson;
import chat.node.push.PushRequest;
import chat.node.push.PushRequest.PushDevice;
import chat.protocol.PushPlatform;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The APNs request for one device: {@code {"aps": {"alert": {"title", "body"}, "badge", "sound": "default",
 * "thread-id": roomId}, "roomId", "seq", "dedupKey"}} and its headers: an alert ({@code apns-push-type: alert},
 * {@code apns-priority: 10}) for the app's bundle id ({@code apns-topic}), collapsing repeats of one message
 * ({@code apns-collapse-id}: the SHA-256 of the dedupKey, 64 hex characters, APNs' limit) and kept for an offline
 * device until the message is {@code ttl} old ({@code apns-expiration}).
 */
public final class ApnsPayload {

  public static final String PUSH_TYPE = "apns-push-type";
  public static final String PRIORITY = "apns-priority";
  public static final String TOPIC = "apns-topic";
  public static final String COLLAPSE_ID = "apns-collapse-id";
  public static final String EXPIRATION = "apns-expiration";

  private ApnsPayload() {}

  public static PushMessage build(PushRequest request, PushDevice device, String bundleId, Duration ttl, Clock clock) {
    ObjectNode root = PushJson.MAPPER.createObjectNode();
    ObjectNode aps = root.putObject("aps");
    ObjectNode alert = aps.putObject("alert");
    alert.put("title", PushText.title(request));
    alert.put("body", PushText.body(request));
    aps.put("badge", request.badge());
    aps.put("sound", "default");
    aps.put("thread-id", request.roomId());
    root.put("roomId", request.roomId());
    root.put("seq", request.seq());
    root.put("dedupKey", request.dedupKey());
    long sentAt = request.sentAt() > 0 ? request.sentAt() : clock.millis();
    Map<String, String> headers = Map.of(
        PUSH_TYPE, "alert",
        PRIORITY, "10",
        TOPIC, bundleId,
        COLLAPSE_ID, Digests.sha256Hex(request.dedupKey()),
        EXPIRATION, Long.toString((sentAt + ttl.toMillis()) / 1000));
    return new PushMessage(PushPlatform.APNS, request.dedupKey(), device.deviceId(), device.token(),
        PushJson.writeString(root), headers);
  }
}

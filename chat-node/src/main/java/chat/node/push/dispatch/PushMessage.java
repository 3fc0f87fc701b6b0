package chat.node.push.dispatch;

import chat.protocol.PushPlatform;
import java.util.Map;

/**
 * One notification for one device, ready for its platform: the JSON {@code body} and the platform headers
 * ({@code apns-*}) that go with it. {@code dedupKey} and {@code deviceId} are there for logs. The
 * {@code toString} shows neither the token nor the body (which holds the preview).
 */
public record PushMessage(
    PushPlatform platform, String dedupKey, String deviceId, String token, String body, Map<String, String> headers) {

  public PushMessage {
    headers = Map.copyOf(headers);
  }

  /** A short, stable stand-in for the token in logs. */
  public String tokenHash() {
    return Digests.shortHash(token);
  }

  @Override
  public String toString() {
    return "PushMessage[" + platform + ", dedupKey=" + dedupKey + ", deviceId=" + deviceId + ", token#" + tokenHash()
        + "]";
  }
}

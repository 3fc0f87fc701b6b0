package chat.node.push.dispatch;

import chat.node.push.PushRequest;
import chat.node.push.PushRequest.PushDevice;
import java.util.List;

/** Push requests as the nodes produce them, for the dispatcher's tests. */
final class PushRequests {

  private PushRequests() {}

  static PushRequest group(String roomId, long seq, String user, String preview, long sentAt, PushDevice... devices) {
    return new PushRequest(PushRequest.SCHEMA, PushRequest.dedupKey(roomId, seq, user), user, roomId, "Team room",
        "group", seq, "alice", sentAt, preview, 2, 5, List.of(devices));
  }

  static PushRequest dm(String roomId, long seq, String user, String preview, long sentAt, PushDevice... devices) {
    return new PushRequest(PushRequest.SCHEMA, PushRequest.dedupKey(roomId, seq, user), user, roomId, null, "dm",
        seq, "alice", sentAt, preview, 1, 1, List.of(devices));
  }

  static PushDevice fcm(String deviceId, String token) {
    return new PushDevice(deviceId, "fcm", token);
  }

  static PushDevice apns(String deviceId, String token) {
    return new PushDevice(deviceId, "apns", token);
  }
}

package chat.node.push.dispatch;

import chat.node.push.PushRequest;

/** What a notification says, the same on every platform. */
final class PushText {

  /** Shown when the user or the room opted out of previews. */
  static final String GENERIC_BODY = "New message";

  private PushText() {}

  /** A DM is titled by its sender, a group by its name (by the sender when it has none). */
  static String title(PushRequest request) {
    boolean named = request.roomName() != null && !request.roomName().isBlank();
    return "dm".equals(request.roomKind()) || !named ? nullToEmpty(request.sender()) : request.roomName();
  }

  static String body(PushRequest request) {
    return request.preview() == null ? GENERIC_BODY : request.preview();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}

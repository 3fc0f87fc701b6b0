package chat.node.push;

import chat.node.CborSerializable;
import chat.node.room.ChatRoom;

/**
 * A message some member may need a push for: what the member's session decides on. It carries the
 * preview (the body cut to {@link PushRequest#PREVIEW_MAX_CHARS}), never the whole body, so that a batch
 * of candidates stays small on the wire between nodes.
 */
public record PushCandidate(
    String roomId, String roomName, ChatRoom.Kind kind, long seq, String sender, String preview, long sentAt)
    implements CborSerializable {

  /** The body cut to {@link PushRequest#PREVIEW_MAX_CHARS} code points, never inside a surrogate pair. */
  public static String preview(String body) {
    if (body.codePointCount(0, body.length()) <= PushRequest.PREVIEW_MAX_CHARS) {
      return body;
    }
    return body.substring(0, body.offsetByCodePoints(0, PushRequest.PREVIEW_MAX_CHARS)) + "…";
  }
}

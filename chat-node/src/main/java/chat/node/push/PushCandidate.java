package chat.node.push;

import chat.node.CborSerializable;
import chat.node.room.ChatRoom;

/** A message some member may need a push for: what the member's session decides on. */
public record PushCandidate(
    String roomId, String roomName, ChatRoom.Kind kind, long seq, String sender, String body, long sentAt)
    implements CborSerializable {}

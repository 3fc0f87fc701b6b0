package chat.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * One entry of a room's timeline. Every change to a room is a timeline item with the next {@code seq}
 * (gap-free, strictly increasing, starting at 1 with {@link RoomCreated}), so a client that has seen seq n
 * and receives n+2 knows exactly what it missed. The same objects are pushed live and returned by history.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = TimelineItem.Message.class, name = "message"),
  @JsonSubTypes.Type(value = TimelineItem.RoomCreated.class, name = "room_created"),
  @JsonSubTypes.Type(value = TimelineItem.MemberJoined.class, name = "member_joined"),
  @JsonSubTypes.Type(value = TimelineItem.MemberLeft.class, name = "member_left"),
  @JsonSubTypes.Type(value = TimelineItem.RoomRenamed.class, name = "room_renamed"),
  @JsonSubTypes.Type(value = TimelineItem.RoleChanged.class, name = "role_changed"),
  @JsonSubTypes.Type(value = TimelineItem.RoomDeleted.class, name = "room_deleted"),
})
public sealed interface TimelineItem extends ServerFrame {

  String roomId();

  long seq();

  /** Server time of the append, epoch milliseconds. */
  long ts();

  /** The user whose request caused the item. */
  String sender();

  record Message(String roomId, long seq, long ts, String sender, String clientMsgId, String body)
      implements TimelineItem {}

  record RoomCreated(
      String roomId, long seq, long ts, String sender, RoomKind kind, String name, Visibility visibility,
      List<String> members)
      implements TimelineItem {}

  /** {@code user} became a member; {@code sender} is who added them (the user itself for a join). */
  record MemberJoined(String roomId, long seq, long ts, String sender, String user) implements TimelineItem {}

  /** {@code user} left; when {@code sender} is someone else, an owner or admin removed them. */
  record MemberLeft(String roomId, long seq, long ts, String sender, String user) implements TimelineItem {}

  record RoomRenamed(String roomId, long seq, long ts, String sender, String name) implements TimelineItem {}

  /** {@code user} now has {@code role}; when it is {@code owner}, the previous owner became an admin. */
  record RoleChanged(String roomId, long seq, long ts, String sender, String user, RoomRole role) implements TimelineItem {}

  /** The owner deleted the room; it is gone for everyone. The last item of its timeline. */
  record RoomDeleted(String roomId, long seq, long ts, String sender) implements TimelineItem {}
}

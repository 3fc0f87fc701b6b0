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

  record MemberLeft(String roomId, long seq, long ts, String sender, String user) implements TimelineItem {}
}

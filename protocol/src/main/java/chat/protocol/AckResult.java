package chat.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/** The payload of an {@link ServerFrame.Ack}; its {@code kind} says which request it answers. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = AckResult.Welcome.class, name = "welcome"),
  @JsonSubTypes.Type(value = AckResult.Pong.class, name = "pong"),
  @JsonSubTypes.Type(value = AckResult.Room.class, name = "room"),
  @JsonSubTypes.Type(value = AckResult.Rooms.class, name = "rooms"),
  @JsonSubTypes.Type(value = AckResult.Left.class, name = "left"),
  @JsonSubTypes.Type(value = AckResult.Sent.class, name = "sent"),
  @JsonSubTypes.Type(value = AckResult.HistoryPage.class, name = "history"),
  @JsonSubTypes.Type(value = AckResult.Ok.class, name = "ok"),
  @JsonSubTypes.Type(value = AckResult.ReadState.class, name = "read"),
  @JsonSubTypes.Type(value = AckResult.Receipts.class, name = "receipts"),
  @JsonSubTypes.Type(value = AckResult.PresenceList.class, name = "presence"),
  @JsonSubTypes.Type(value = AckResult.RoomDeleted.class, name = "deleted"),
})
public sealed interface AckResult {

  /**
   * Answers {@code hello}: who the connection is authenticated as, and the limits it must respect.
   * {@code resuming} is true when a replay of what the device missed follows (ending with {@code synced}).
   */
  record Welcome(String userId, int protocol, long serverTime, Limits limits, boolean resuming) implements AckResult {}

  /** Answers {@code delete_room}; {@code seq} is the position of the {@code room_deleted} item. */
  record RoomDeleted(String roomId, long seq) implements AckResult {}

  /** Answers requests that have nothing to report ({@code received}). */
  record Ok() implements AckResult {}

  /** Answers {@code read}: where the user's read marker is now, and how many messages remain unread. */
  record ReadState(String roomId, long seq, long unread) implements AckResult {}

  /**
   * Answers {@code receipts}. {@code members}: each member's delivered and read positions (rooms of up to
   * 32 members; absent for larger ones). With a {@code seq} in the request: of the {@code others} other
   * members, {@code deliveredTo} have received that item and {@code readBy} have read it.
   */
  record Receipts(String roomId, List<MemberReceipt> members, Long seq, Integer others, Integer deliveredTo, Integer readBy)
      implements AckResult {}

  record MemberReceipt(String user, long delivered, long read) {}

  /**
   * Answers {@code watch_presence}: the current presence of the users now watched; {@code denied}: users
   * who share no room with the caller (not watched).
   */
  record PresenceList(List<ServerFrame.Presence> presences, List<String> denied) implements AckResult {}

  record Pong(long serverTime) implements AckResult {}

  /**
   * Answers {@code create_room}, {@code open_dm}, {@code join}, {@code add_member}, {@code remove_member},
   * {@code rename_room}, {@code set_role} and {@code get_room}.
   */
  record Room(RoomInfo room) implements AckResult {}

  record Rooms(List<RoomSummary> rooms) implements AckResult {}

  /** Answers {@code leave}; {@code seq} is the position of the {@code member_left} item. */
  record Left(String roomId, long seq) implements AckResult {}

  /**
   * Answers {@code send}, only once the message is durably journaled. {@code duplicate} is true when this
   * was a retry of a {@code clientMsgId} the room had already accepted; seq and ts are then the original ones.
   */
  record Sent(String roomId, long seq, long ts, boolean duplicate) implements AckResult {}

  /**
   * Answers {@code history}: items in ascending seq order. {@code hasMore} tells whether further items
   * exist in the direction read (older for {@code before} and the latest page, newer for {@code after}).
   */
  record HistoryPage(String roomId, List<TimelineItem> items, boolean hasMore, long lastSeq) implements AckResult {}
}

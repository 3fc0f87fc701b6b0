package chat.protocol;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Every frame the server sends: answers to requests ({@link Ack}, {@link Error}), timeline items pushed
 * live or replayed ({@link TimelineItem}), replay markers ({@link Gap}, {@link CaughtUp}, {@link Synced}),
 * and {@link Closing}, the last frame before the server closes the connection.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ServerFrame.Ack.class, name = "ack"),
  @JsonSubTypes.Type(value = ServerFrame.Error.class, name = "error"),
  @JsonSubTypes.Type(value = ServerFrame.Closing.class, name = "closing"),
  @JsonSubTypes.Type(value = ServerFrame.Gap.class, name = "gap"),
  @JsonSubTypes.Type(value = ServerFrame.CaughtUp.class, name = "caught_up"),
  @JsonSubTypes.Type(value = ServerFrame.Synced.class, name = "synced"),
  @JsonSubTypes.Type(value = ServerFrame.ReadMarker.class, name = "read_marker"),
  @JsonSubTypes.Type(value = ServerFrame.Receipt.class, name = "receipt"),
  @JsonSubTypes.Type(value = ServerFrame.Presence.class, name = "presence"),
  @JsonSubTypes.Type(value = ServerFrame.TypingIndicator.class, name = "typing"),
  @JsonSubTypes.Type(value = TimelineItem.Message.class, name = "message"),
  @JsonSubTypes.Type(value = TimelineItem.RoomCreated.class, name = "room_created"),
  @JsonSubTypes.Type(value = TimelineItem.MemberJoined.class, name = "member_joined"),
  @JsonSubTypes.Type(value = TimelineItem.MemberLeft.class, name = "member_left"),
  @JsonSubTypes.Type(value = TimelineItem.RoomRenamed.class, name = "room_renamed"),
  @JsonSubTypes.Type(value = TimelineItem.RoleChanged.class, name = "role_changed"),
  @JsonSubTypes.Type(value = TimelineItem.RoomDeleted.class, name = "room_deleted"),
})
public sealed interface ServerFrame
    permits ServerFrame.Ack, ServerFrame.Error, ServerFrame.Closing, ServerFrame.Gap, ServerFrame.CaughtUp,
        ServerFrame.Synced, ServerFrame.ReadMarker, ServerFrame.Receipt, ServerFrame.Presence,
        ServerFrame.TypingIndicator, TimelineItem {

  /** The successful answer to request {@code id}. */
  record Ack(String id, AckResult result) implements ServerFrame {}

  /**
   * The failed answer to request {@code id}, or (with a null id) a complaint about a frame that could not
   * be read far enough to find its id. {@code retryable} tells whether sending the same request again can
   * succeed; {@code retryAfterMs}, when present, how long to wait before doing so.
   */
  record Error(String id, ErrorCode code, String message, boolean retryable, Long retryAfterMs) implements ServerFrame {
    public static Error of(String id, ErrorCode code, String message) {
      return new Error(id, code, message, code.retryable(), null);
    }

    public static Error retryAfter(String id, ErrorCode code, String message, long retryAfterMs) {
      return new Error(id, code, message, code.retryable(), retryAfterMs);
    }
  }

  /**
   * Sent just before the server closes the connection, saying why. Pekko HTTP closes server-side with
   * status 1000, so this frame, not the close status, carries the reason.
   */
  record Closing(ErrorCode code, String message, boolean retryable) implements ServerFrame {
    public static Closing of(ErrorCode code, String message) {
      return new Closing(code, message, code.retryable());
    }
  }

  /**
   * Items {@code from..to} of a room will not be delivered by this replay, for {@code reason}
   * ({@code backlog_limit}: more were missed than one replay delivers; read them with history if wanted).
   */
  record Gap(String roomId, long from, long to, String reason) implements ServerFrame {}

  /** Everything of the room up to {@code seq} has now been sent to this connection, in order. */
  record CaughtUp(String roomId, long seq) implements ServerFrame {}

  /** Every room of the replay that followed hello is caught up; {@code rooms} is how many there were. */
  record Synced(int rooms) implements ServerFrame {}

  /**
   * The user's read marker of a room moved to {@code seq} (on any of their devices, or because they sent
   * a message), or its unread count was corrected: {@code unread} messages from others remain after it.
   */
  record ReadMarker(String roomId, long seq, long unread) implements ServerFrame {}

  /**
   * In a room of up to 32 members: other members' receipts that moved, each saying that its {@code user}
   * has now received (on some device) everything up to {@code delivered} and read up to {@code read}. A
   * room sends a change at once, and changes that follow within half a second together in the next frame.
   * Larger rooms send no per-member receipts; ask with {@code receipts} instead.
   */
  record Receipt(String roomId, List<AckResult.MemberReceipt> members) implements ServerFrame {}

  /**
   * A watched user's presence. {@code lastSeen} (epoch ms) is when they were last connected, for
   * {@code offline}; absent for a user who hides their presence or was never seen.
   */
  record Presence(String user, PresenceStatus status, Long lastSeen) implements ServerFrame {}

  /** {@code user} is ({@code active}) or stopped being typing in {@code roomId}. */
  record TypingIndicator(String roomId, String user, boolean active) implements ServerFrame {}
}

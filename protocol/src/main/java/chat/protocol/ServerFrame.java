package chat.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Every frame the server sends: answers to requests ({@link Ack}, {@link Error}), timeline items pushed
 * live as they are appended ({@link TimelineItem}), and {@link Closing}, the last frame before the server
 * closes the connection.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ServerFrame.Ack.class, name = "ack"),
  @JsonSubTypes.Type(value = ServerFrame.Error.class, name = "error"),
  @JsonSubTypes.Type(value = ServerFrame.Closing.class, name = "closing"),
  @JsonSubTypes.Type(value = TimelineItem.Message.class, name = "message"),
  @JsonSubTypes.Type(value = TimelineItem.RoomCreated.class, name = "room_created"),
  @JsonSubTypes.Type(value = TimelineItem.MemberJoined.class, name = "member_joined"),
  @JsonSubTypes.Type(value = TimelineItem.MemberLeft.class, name = "member_left"),
})
public sealed interface ServerFrame permits ServerFrame.Ack, ServerFrame.Error, ServerFrame.Closing, TimelineItem {

  /** The successful answer to request {@code id}. */
  record Ack(String id, AckResult result) implements ServerFrame {}

  /**
   * The failed answer to request {@code id}, or (with a null id) a complaint about a frame that could not
   * be read far enough to find its id. {@code retryable} tells whether sending the same request again can
   * succeed.
   */
  record Error(String id, ErrorCode code, String message, boolean retryable) implements ServerFrame {
    public static Error of(String id, ErrorCode code, String message) {
      return new Error(id, code, message, code.retryable());
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
}

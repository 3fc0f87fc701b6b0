package chat.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a user is told by push about a room's messages while none of their devices receives them. */
public enum NotificationLevel {
  /** A push with a preview of the message (unless the user turned previews off). */
  @JsonProperty("all")
  ALL,
  /** A push that says a message came, without its text. */
  @JsonProperty("no_preview")
  NO_PREVIEW,
  /** No push. */
  @JsonProperty("muted")
  MUTED
}

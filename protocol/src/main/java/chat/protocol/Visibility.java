package chat.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Who may join a group room without being added by a member. */
public enum Visibility {
  /** Only the room's owner and admins add people; this is the default. */
  @JsonProperty("private")
  PRIVATE,
  /** Anyone authenticated can join. */
  @JsonProperty("public")
  PUBLIC
}

package chat.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A member's role in a group room. */
public enum RoomRole {
  @JsonProperty("member")
  MEMBER,
  @JsonProperty("admin")
  ADMIN,
  @JsonProperty("owner")
  OWNER
}

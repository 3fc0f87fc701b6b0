package chat.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum RoomKind {
  @JsonProperty("group")
  GROUP,
  @JsonProperty("dm")
  DM
}

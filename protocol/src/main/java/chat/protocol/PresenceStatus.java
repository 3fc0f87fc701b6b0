package chat.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A user's presence as others see it. Clients may only set {@code online} or {@code away}. */
public enum PresenceStatus {
  @JsonProperty("online")
  ONLINE,
  @JsonProperty("away")
  AWAY,
  @JsonProperty("offline")
  OFFLINE
}

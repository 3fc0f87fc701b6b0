package chat.node.room;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/** Room id conventions: deterministic ids for DMs, random ones for groups the server names. */
public final class RoomIds {

  public static final String DM_PREFIX = "dm:";
  private static final String GROUP_PREFIX = "g:";
  private static final SecureRandom RANDOM = new SecureRandom();

  private RoomIds() {}

  /**
   * The one room two users share, whoever opens it first: {@code dm:<lower>:<higher>} in string order.
   * User ids cannot contain ':', so the two parts are unambiguous.
   */
  public static String dm(String userA, String userB) {
    return userA.compareTo(userB) <= 0
        ? DM_PREFIX + userA + ":" + userB
        : DM_PREFIX + userB + ":" + userA;
  }

  public static boolean isDm(String roomId) {
    return roomId.startsWith(DM_PREFIX);
  }

  /** The two users of a DM room id, or empty if the id is not a well-formed DM id. */
  public static Optional<List<String>> dmParties(String roomId) {
    if (!isDm(roomId)) {
      return Optional.empty();
    }
    String[] parts = roomId.substring(DM_PREFIX.length()).split(":", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(List.of(parts[0], parts[1]));
  }

  /** 128 random bits, URL-safe. */
  public static String newGroupId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return GROUP_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}

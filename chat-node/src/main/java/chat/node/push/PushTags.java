package chat.node.push;

import java.util.stream.IntStream;

/**
 * How rooms' messages are spread over the event tags that the push projection reads: a room's messages
 * all carry one tag, so they reach the projection in order. The count is part of the journal: changing it
 * moves rooms to other tags, so do it only with the projection stopped and caught up.
 */
public final class PushTags {

  public static final String PREFIX = "push-";

  private PushTags() {}

  public static String forRoom(String roomId, int count) {
    return PREFIX + Math.floorMod(roomId.hashCode(), count);
  }

  public static String[] all(int count) {
    return IntStream.range(0, count).mapToObj(i -> PREFIX + i).toArray(String[]::new);
  }
}

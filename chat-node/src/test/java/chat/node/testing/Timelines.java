package chat.node.testing;

import chat.protocol.ServerFrame;
import chat.protocol.TimelineItem;
import chat.protocol.client.ChatClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Collects what a client is pushed for one room. */
public final class Timelines {

  private Timelines() {}

  /**
   * The items of {@code roomId} pushed to {@code client} until one with seq {@code untilSeq} arrives,
   * in arrival order (so duplicates and reordering stay visible to the caller).
   */
  public static List<TimelineItem> collect(ChatClient client, String roomId, long untilSeq, Duration timeout)
      throws InterruptedException {
    List<TimelineItem> items = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (items.stream().noneMatch(i -> i.seq() == untilSeq)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("seq " + untilSeq + " of " + roomId + " not pushed within " + timeout + "; got "
            + items.stream().map(TimelineItem::seq).toList());
      }
      ServerFrame frame = client.nextPush(Duration.ofNanos(left));
      if (frame instanceof TimelineItem item && item.roomId().equals(roomId)) {
        items.add(item);
      }
    }
    return items;
  }
}

package chat.node.room;

/**
 * The seq range of one history page, computed from what the client asked and how far the timeline goes.
 * {@code hasMore} tells whether items exist beyond the page in the direction being read.
 */
public record TimelineRange(long from, long to, boolean hasMore) {

  /** The newest {@code limit} items. */
  public static TimelineRange latest(long lastSeq, int limit) {
    return before(lastSeq + 1, limit, lastSeq);
  }

  /** Up to {@code limit} items with seq &lt; {@code before}, the newest of them. */
  public static TimelineRange before(long before, int limit, long lastSeq) {
    long to = Math.min(before - 1, lastSeq);
    if (to < 1) {
      return new TimelineRange(1, 0, false);
    }
    long from = Math.max(1, to - limit + 1);
    return new TimelineRange(from, to, from > 1);
  }

  /** Up to {@code limit} items with seq &gt; {@code after}, the oldest of them. */
  public static TimelineRange after(long after, int limit, long lastSeq) {
    long from = after + 1;
    if (from > lastSeq) {
      return new TimelineRange(from, after, false);
    }
    long to = Math.min(lastSeq, after + limit);
    return new TimelineRange(from, to, to < lastSeq);
  }

  public boolean isEmpty() {
    return from > to;
  }
}

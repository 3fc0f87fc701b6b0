package chat.node.push;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the push projections of this node have not handed to Kafka yet, reported in the log: while a tag
 * keeps failing, one line at most every {@link #REPORT_EVERY_MS} with how many messages wait (at least)
 * and since when; when it flows again, how much it caught up. Counters for metrics.
 */
public final class PushBacklog {

  private static final Logger log = LoggerFactory.getLogger(PushBacklog.class);
  static final long REPORT_EVERY_MS = 10_000;

  /** A failing tag: since when, how many messages its failed batch held, and the oldest one's time. */
  private record Failing(long since, int messages, long oldestAt, String cause) {}

  private final Map<String, Failing> failing = new ConcurrentHashMap<>();
  private final AtomicLong lastReport = new AtomicLong();
  private final AtomicLong produced = new AtomicLong();
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong failedBatches = new AtomicLong();

  void failed(String tag, int batchMessages, long oldestAt, Throwable cause, long now) {
    failedBatches.incrementAndGet();
    failing.merge(tag, new Failing(now, batchMessages, oldestAt, describe(cause)),
        (known, latest) -> new Failing(known.since(), Math.max(known.messages(), latest.messages()),
            Math.min(known.oldestAt(), latest.oldestAt()), latest.cause()));
    long last = lastReport.get();
    if (now - last >= REPORT_EVERY_MS && lastReport.compareAndSet(last, now)) {
      int waiting = failing.values().stream().mapToInt(Failing::messages).sum();
      long oldest = failing.values().stream().mapToLong(Failing::oldestAt).min().orElse(now);
      log.warn("push backlog: {} of the node's push tags cannot hand requests to Kafka; at least {} messages wait,"
              + " the oldest for {} s; retrying ({})",
          failing.size(), waiting, (now - oldest) / 1000, describe(cause));
    }
  }

  void handled(String tag, int batchMessages, int requests, long oldestAt, long now) {
    produced.addAndGet(requests);
    messages.addAndGet(batchMessages);
    Failing recovered = failing.remove(tag);
    if (recovered != null) {
      log.info("push tag {} flows again after {} s; the oldest waiting message was {} s old",
          tag, (now - recovered.since()) / 1000, (now - Math.min(recovered.oldestAt(), oldestAt)) / 1000);
    }
  }

  /** Push requests Kafka acknowledged since the node started. */
  public long produced() {
    return produced.get();
  }

  /** Messages whose recipients were decided on since the node started. */
  public long messages() {
    return messages.get();
  }

  public long failedBatches() {
    return failedBatches.get();
  }

  /** Tags of this node that are failing now. */
  public int failingTags() {
    return failing.size();
  }

  /** The root cause, by class and message: what an operator needs in one log line. */
  static String describe(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }
}

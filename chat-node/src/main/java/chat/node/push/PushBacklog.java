package chat.node.push;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the push projections of this node have not handed to Kafka yet, reported in the log. A tag is
 * behind while its batch waits for Kafka longer than {@link #STALLED_AFTER_MS} (a broker that is down
 * leaves sends pending until the producer's delivery timeout) or after its batch failed; while any is,
 * one line at most every {@link #REPORT_EVERY_MS} says how many messages wait (at least: those behind the
 * batch in hand wait unread in the journal) and since when. When a tag flows again, one line says so.
 * Counters for metrics.
 */
public final class PushBacklog {

  private static final Logger log = LoggerFactory.getLogger(PushBacklog.class);
  static final long STALLED_AFTER_MS = 5_000;
  static final long REPORT_EVERY_MS = 10_000;

  /**
   * A tag's batch in hand: since when, its messages and requests, the oldest message's time, whether its
   * requests are with the producer yet, and the last failure.
   */
  private record Behind(long since, int messages, int requests, long oldestAt, boolean producing, String failure) {}

  private final Map<String, Behind> inHand = new ConcurrentHashMap<>();
  private final Map<String, Behind> failing = new ConcurrentHashMap<>();
  private final AtomicLong lastReport = new AtomicLong();
  private final AtomicLong produced = new AtomicLong();
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong failedBatches = new AtomicLong();

  /** The tag's batch is being decided on and produced. */
  void started(String tag, int batchMessages, long oldestAt, long now) {
    inHand.put(tag, new Behind(now, batchMessages, 0, oldestAt, false, null));
  }

  /** The batch's requests are with the producer, waiting for Kafka's acknowledgement. */
  void producing(String tag, int requests) {
    inHand.computeIfPresent(tag, (t, b) -> new Behind(b.since(), b.messages(), requests, b.oldestAt(), true, null));
  }

  void failed(String tag, Throwable cause, long now) {
    failedBatches.incrementAndGet();
    Behind batch = inHand.remove(tag);
    if (batch != null) {
      failing.merge(tag, new Behind(batch.since(), batch.messages(), batch.requests(), batch.oldestAt(), batch.producing(),
              describe(cause)),
          (known, latest) -> new Behind(known.since(), Math.max(known.messages(), latest.messages()),
              Math.max(known.requests(), latest.requests()), Math.min(known.oldestAt(), latest.oldestAt()),
              latest.producing(), latest.failure()));
    }
    report(now);
  }

  void handled(String tag, int batchMessages, int requests, long now) {
    produced.addAndGet(requests);
    messages.addAndGet(batchMessages);
    Behind batch = inHand.remove(tag);
    Behind recovered = failing.remove(tag);
    long since = recovered != null ? recovered.since() : batch != null ? batch.since() : now;
    if (recovered != null || (batch != null && now - batch.since() >= STALLED_AFTER_MS)) {
      long oldest = Math.min(recovered != null ? recovered.oldestAt() : now, batch != null ? batch.oldestAt() : now);
      log.info("push tag {} flows again after {} s; the oldest waiting message was {} s old",
          tag, (now - since) / 1000, (now - oldest) / 1000);
    }
  }

  /**
   * The tag's projection stopped on this node (the tag moved to another node, or the node stops): what
   * it had in hand or failed on is no longer this node's to report.
   */
  void stopped(String tag) {
    inHand.remove(tag);
    failing.remove(tag);
  }

  /** Logs the backlog if a tag is behind and nothing was reported in the last {@link #REPORT_EVERY_MS}. */
  void report(long now) {
    Map<String, Behind> behind = new java.util.HashMap<>(failing);
    inHand.forEach((tag, batch) -> {
      if (now - batch.since() >= STALLED_AFTER_MS) {
        behind.merge(tag, batch, (failed, current) -> failed);
      }
    });
    long last = lastReport.get();
    if (behind.isEmpty() || now - last < REPORT_EVERY_MS || !lastReport.compareAndSet(last, now)) {
      return;
    }
    int waiting = behind.values().stream().mapToInt(Behind::messages).sum();
    int requests = behind.values().stream().mapToInt(Behind::requests).sum();
    long oldest = behind.values().stream().mapToLong(Behind::oldestAt).min().orElse(now);
    String why = behind.values().stream().map(Behind::failure).filter(java.util.Objects::nonNull).findFirst()
        .orElse(behind.values().stream().anyMatch(Behind::producing)
            ? "waiting for Kafka to acknowledge" : "waiting for rooms and sessions to answer");
    log.warn("push backlog: {} of the node's push tags are behind; at least {} messages ({} push requests) wait,"
        + " the oldest for {} s ({})", behind.size(), waiting, requests, (now - oldest) / 1000, why);
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

  /**
   * Messages in the batches this node's tags have in hand or failed on, now: what waits to be pushed
   * (at least: only batches in hand are known, not what the journal holds behind them).
   */
  public int waitingMessages() {
    return waiting().values().stream().mapToInt(Behind::messages).sum();
  }

  /** How long the oldest of {@link #waitingMessages} has waited since its room stored it, in seconds; 0 if none. */
  public double oldestWaitSeconds(long now) {
    return waiting().values().stream().mapToLong(Behind::oldestAt).min().stream()
        .mapToDouble(oldest -> Math.max(0, now - oldest) / 1000.0).findFirst().orElse(0);
  }

  /** Per tag, its failed batch if it has one (the one that counts), else the batch in hand. */
  private Map<String, Behind> waiting() {
    Map<String, Behind> waiting = new java.util.HashMap<>(inHand);
    waiting.putAll(failing);
    return waiting;
  }

  /** Tags of this node whose last batch failed and that have not recovered yet. */
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

package chat.loadtest;

import java.util.List;
import java.util.Map;

/**
 * Everything a run measured, as written to the JSON result file and rendered by {@link HtmlReport}.
 * Latencies are in milliseconds, memory in KiB, CPU in seconds. Optional parts are null when the
 * scenario or the options did not produce them.
 *
 * @param passed false if anything was lost, duplicated or reordered, a send failed, a connection
 *     failed, or a scenario check failed; {@code failures} says which. Items delivered late (after the
 *     drain) do not fail a run by themselves.
 */
record Result(
    String scenario,
    String startedAt,
    String command,
    Map<String, Object> parameters,
    Environment environment,
    double seconds,
    Messages messages,
    Delivery delivery,
    Map<String, Long> errors,
    List<String> errorSamples,
    Distribution ack,
    Distribution receive,
    List<Window> timeline,
    List<ProcessUsage> processes,
    ServerMetrics.Comparison serverMetrics,
    Map<String, Long> counts,
    Idle idle,
    Storm storm,
    List<KneeStep> knee,
    Double kneeLastGoodRate,
    PushAudit.Result push,
    boolean passed,
    List<String> failures) {

  /** Where it ran: the generator shares the machine with what it measures unless said otherwise. */
  record Environment(int cores, String java, String os, long generatorPid) {}

  /**
   * {@code scheduled}: sends due by the schedule; {@code sent}: written to a socket; {@code acked}:
   * answered with an ack; {@code failed}: answered with an error or never answered (by kind in
   * {@code errors}, prefix {@code send.}); {@code ratePerSecond}: the schedule's total rate.
   */
  record Messages(long scheduled, long sent, long acked, long failed, double ratePerSecond) {}

  /**
   * Over every receiver (connected member device) and room: {@code expected} timeline items after the
   * room's setup, {@code delivered} distinct ones received, and the {@link Accounting} counts.
   * {@code late}: of the delivered, those that arrived after the drain (not a failure); {@code lost}:
   * still missing after the late window. {@code connectionErrors}: see {@link Errors}. {@code lostSamples}:
   * the first lost items, "room#seq@user".
   */
  record Delivery(long receivers, long rooms, long expected, long delivered, long lost, long late, long gaps,
      long duplicates, long reorders, long redelivered, long connectionErrors, List<String> lostSamples) {}

  /**
   * A latency distribution: {@code count} samples, percentiles and max in ms; {@code percentiles}: the
   * curve from HdrHistogram's percentile iteration (for the plot).
   */
  record Distribution(long count, double mean, double p50, double p90, double p99, double p999, double max,
      List<Point> percentiles) {}

  record Point(double percentile, double millis) {}

  /** One 5 s window of the run, by when samples were recorded: receive and ack percentiles in ms. */
  record Window(long startSecond, long receiveCount, double receiveP50, double receiveP99, double receiveMax,
      long ackCount, double ackP50, double ackP99) {}

  /** CPU and resident memory of one process over the measured interval, from /proc. */
  record ProcessUsage(String name, long pid, double cpuSeconds, double averageCores, long rssStartKb,
      long rssEndKb, long rssPeakKb) {}

  /** Idle connections: memory at each step; the slope between the first and last step. */
  record Idle(List<IdleStep> steps, Double serverKbPerConnection, Double generatorKbPerConnection,
      long heldSeconds, long openAtEnd) {}

  record IdleStep(long connections, long serverRssKb, long generatorRssKb, double secondsToConnect) {}

  /**
   * Reconnect storm: {@code resumed} of {@code expected} receivers reconnected and got {@code synced};
   * {@code reconnectSeconds}: from the drop until the last welcome; sync percentiles: from a receiver's
   * reconnect to its {@code synced}; {@code gapFrames}: {@code gap} frames (the backlog limit) received.
   */
  record Storm(long expected, long resumed, long sentWhileAway, double awaySeconds, double reconnectSeconds,
      double syncP50, double syncP99, double syncMax, long gapFrames) {}

  /** One step of the knee search; {@code late}: delivered after the step's drain (the step is bad). */
  record KneeStep(double rate, double seconds, long sent, long acked, long failed, long expected, long delivered,
      long lost, long late, long duplicates, long reorders, long receiveCount, double receiveP50, double receiveP99,
      double ackP99, boolean good, String verdict) {}
}

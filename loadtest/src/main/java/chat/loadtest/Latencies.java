package chat.loadtest;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The run's two latency distributions, in microseconds, both measured from a message's <em>scheduled</em>
 * send time (so a generator or server that falls behind shows as latency, not as fewer samples):
 * {@code ack} (send to its ack, at the sender) and {@code receive} (send to the pushed message, at every
 * other member; the sender's own copy is not a sample). Samples whose scheduled time is before
 * {@link #measureFrom} (the warm-up, a knee step's settle) are not recorded.
 *
 * <p>Any thread records (HdrHistogram's {@link Recorder}); {@link #closeWindow} and {@link #closeStep}
 * harvest what was recorded into the run's totals, the current 5 s window and the current knee step.
 */
final class Latencies {

  private final Recorder ackRecorder = new Recorder(3);
  private final Recorder receiveRecorder = new Recorder(3);
  private volatile long measureFromNanos = Long.MAX_VALUE;
  // guarded by this
  private final Histogram ackTotal = new Histogram(3);
  private final Histogram receiveTotal = new Histogram(3);
  private final Histogram ackWindow = new Histogram(3);
  private final Histogram receiveWindow = new Histogram(3);
  private final Histogram ackStep = new Histogram(3);
  private final Histogram receiveStep = new Histogram(3);
  private final List<Result.Window> windows = new ArrayList<>();
  private Histogram ackInterval;
  private Histogram receiveInterval;

  /** Records samples of messages scheduled at or after {@code runNanos} (run clock). */
  void measureFrom(long runNanos) {
    measureFromNanos = runNanos;
  }

  void ack(long scheduledNanos, long nowNanos) {
    if (scheduledNanos >= measureFromNanos) {
      ackRecorder.recordValue(Math.max(0, (nowNanos - scheduledNanos) / 1000));
    }
  }

  void receive(long scheduledNanos, long nowNanos) {
    if (scheduledNanos >= measureFromNanos) {
      receiveRecorder.recordValue(Math.max(0, (nowNanos - scheduledNanos) / 1000));
    }
  }

  private void harvest() {
    ackInterval = ackRecorder.getIntervalHistogram(ackInterval);
    receiveInterval = receiveRecorder.getIntervalHistogram(receiveInterval);
    for (Histogram h : List.of(ackTotal, ackWindow, ackStep)) {
      h.add(ackInterval);
    }
    for (Histogram h : List.of(receiveTotal, receiveWindow, receiveStep)) {
      h.add(receiveInterval);
    }
  }

  /** Ends the window that started at {@code startSecond} (seconds since the run began) and returns it. */
  synchronized Result.Window closeWindow(long startSecond) {
    harvest();
    Result.Window window = new Result.Window(startSecond,
        receiveWindow.getTotalCount(), millis(receiveWindow.getValueAtPercentile(50)),
        millis(receiveWindow.getValueAtPercentile(99)), millis(receiveWindow.getMaxValue()),
        ackWindow.getTotalCount(), millis(ackWindow.getValueAtPercentile(50)),
        millis(ackWindow.getValueAtPercentile(99)));
    windows.add(window);
    ackWindow.reset();
    receiveWindow.reset();
    return window;
  }

  /** What was recorded since the last step closed: {ack, receive}. */
  synchronized Histogram[] closeStep() {
    harvest();
    Histogram[] step = {ackStep.copy(), receiveStep.copy()};
    ackStep.reset();
    receiveStep.reset();
    return step;
  }

  /** The latest percentile of the current window so far, for the progress line. */
  synchronized double currentReceiveP99Millis() {
    harvest();
    return millis(receiveWindow.getValueAtPercentile(99));
  }

  synchronized Histogram ackTotal() {
    harvest();
    return ackTotal.copy();
  }

  synchronized Histogram receiveTotal() {
    harvest();
    return receiveTotal.copy();
  }

  synchronized List<Result.Window> windows() {
    return List.copyOf(windows);
  }

  static double millis(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }
}

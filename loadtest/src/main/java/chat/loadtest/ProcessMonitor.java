package chat.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CPU seconds and RSS of the processes a run watches (the node, Cassandra, Kafka, the generator itself),
 * each on its own, over the measured interval: {@link #start}, {@link #sample} now and then for the peak,
 * {@link #stop}.
 */
final class ProcessMonitor {

  private final List<Watched> watched = new ArrayList<>();

  private static final class Watched {
    final String name;
    final long pid;
    long startTicks = -1;
    long endTicks = -1;
    long startNanos;
    long endNanos;
    long rssStart = -1;
    long rssEnd = -1;
    long rssPeak = -1;

    Watched(String name, long pid) {
      this.name = name;
      this.pid = pid;
    }
  }

  /** {@code processes}: name to pid, in report order. */
  ProcessMonitor(Map<String, Long> processes) {
    processes.forEach((name, pid) -> watched.add(new Watched(name, pid)));
  }

  synchronized void start() {
    for (Watched w : watched) {
      w.startNanos = System.nanoTime();
      w.startTicks = ProcessStats.cpuTicks(w.pid).orElse(-1);
      w.rssStart = ProcessStats.rssKb(w.pid).orElse(-1);
      w.rssPeak = w.rssStart;
    }
  }

  synchronized void sample() {
    for (Watched w : watched) {
      w.rssPeak = Math.max(w.rssPeak, ProcessStats.rssKb(w.pid).orElse(-1));
    }
  }

  synchronized void stop() {
    for (Watched w : watched) {
      w.endNanos = System.nanoTime();
      w.endTicks = ProcessStats.cpuTicks(w.pid).orElse(-1);
      w.rssEnd = ProcessStats.rssKb(w.pid).orElse(-1);
      w.rssPeak = Math.max(w.rssPeak, w.rssEnd);
    }
  }

  /** The RSS of the process named {@code name} now, or -1. */
  long rssKbNow(String name) {
    return watched.stream().filter(w -> w.name.equals(name)).findFirst()
        .map(w -> ProcessStats.rssKb(w.pid).orElse(-1)).orElse(-1L);
  }

  synchronized List<Result.ProcessUsage> usage() {
    List<Result.ProcessUsage> out = new ArrayList<>();
    for (Watched w : watched) {
      boolean measured = w.startTicks >= 0 && w.endTicks >= 0;
      double cpu = measured ? (w.endTicks - w.startTicks) / (double) ProcessStats.CLOCK_TICKS : -1;
      double wall = (w.endNanos - w.startNanos) / 1e9;
      out.add(new Result.ProcessUsage(w.name, w.pid, round(cpu), measured && wall > 0 ? round(cpu / wall) : -1,
          w.rssStart, w.rssEnd, w.rssPeak));
    }
    return out;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}

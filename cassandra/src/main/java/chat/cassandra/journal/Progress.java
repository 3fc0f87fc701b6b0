package chat.cassandra.journal;

import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Progress of a long scan, on the error stream so that it never mixes with output meant for a pipe. Quiet for
 * the first two seconds (most runs are done by then), then one line every two seconds.
 */
final class Progress {

  private static final long QUIET_NANOS = 2_000_000_000L;

  private final PrintStream err;
  private final long started = System.nanoTime();
  private long lastPrinted = started;
  private boolean printed;

  Progress(PrintStream err) {
    this.err = err;
  }

  /** {@code message} is built only when a line is due. */
  void report(Supplier<String> message) {
    long now = System.nanoTime();
    if (now - lastPrinted >= QUIET_NANOS) {
      lastPrinted = now;
      printed = true;
      err.println("... " + message.get());
    }
  }

  /** A closing line, only if progress was shown at all. */
  void done(String message) {
    if (printed) {
      err.println("... " + message + " (" + (System.nanoTime() - started) / 1_000_000 + " ms)");
    }
  }
}

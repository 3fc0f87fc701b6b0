package chat.cassandra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Process liveness as needed here: a zombie counts as gone. */
final class Processes {

  private Processes() {
  }

  /**
   * Whether the process exists and is not a zombie. {@link ProcessHandle#isAlive()} is true for a
   * zombie, and an orphaned server that exited is a zombie until its new parent reaps it, which some
   * container init processes never do; we must not wait on such a process.
   */
  static boolean isRunning(ProcessHandle process) {
    return process.isAlive() && !isZombie(process.pid());
  }

  static Optional<ProcessHandle> running(long pid) {
    return ProcessHandle.of(pid).filter(Processes::isRunning);
  }

  /** Linux only ({@code /proc}); elsewhere nothing counts as a zombie. */
  private static boolean isZombie(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    try {
      String content = Files.readString(stat);
      // "pid (comm) S ...": comm may contain spaces and parentheses, so look after the last ')'
      int end = content.lastIndexOf(')');
      return end >= 0 && content.length() > end + 2 && content.charAt(end + 2) == 'Z';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Waits until the process is gone; true if it went within {@code timeout}. */
  static boolean awaitExit(ProcessHandle process, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (isRunning(process)) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }
}

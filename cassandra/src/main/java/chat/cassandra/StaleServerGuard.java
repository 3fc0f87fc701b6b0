package chat.cassandra;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Makes sure no earlier server (Cassandra, Kafka) still runs on a data directory before a new one
 * starts there.
 *
 * <p>If the JVM that started a server was killed (kill -9, a crashed IDE run), the server's
 * {@link ParentWatchdog} stops it within about a second, and its graceful shutdown takes a few more.
 * A new start in that window waits for it, instead of failing on a taken port or a locked commit log.
 * A server whose owner is still alive is someone else's: that fails at once.
 */
public final class StaleServerGuard {

  public static final Duration DEFAULT_ORPHAN_WAIT = Duration.ofSeconds(60);

  private StaleServerGuard() {
  }

  /**
   * @throws RuntimeException the kind's start exception if a server whose owner lives runs there, or an
   *                          orphan does not exit within {@code orphanWait}
   */
  public static void awaitNoStaleServer(ServerKind kind, PidFile pidFile, Duration orphanWait) {
    Optional<PidFile.Entry> entry = pidFile.read();
    if (entry.isEmpty()) {
      pidFile.delete();
      return;
    }
    long pid = entry.get().pid();
    Optional<ProcessHandle> server = Processes.running(pid).filter(p -> sameProcess(p, entry.get()));
    if (server.isEmpty()) {
      pidFile.delete();
      return;
    }
    long ownerPid = entry.get().ownerPid();
    // The owner is alive exactly when it is still the server's parent: once a parent dies its
    // children are re-parented at once, so this cannot be fooled by a recycled owner pid.
    boolean ownerAlive = server.get().parent().map(ProcessHandle::pid).orElse(-1L) == ownerPid
        && Processes.running(ownerPid).isPresent();
    if (ownerAlive) {
      throw kind.fail("Data directory " + pidFile.path().getParent()
          + " is in use by " + kind.name() + " pid " + pid + ", started by process " + ownerPid
          + ", which is still running" + (ownerPid == ProcessHandle.current().pid() ? " (this JVM)" : "")
          + ". Stop that server first, or use another data directory.");
    }
    try {
      if (!Processes.awaitExit(server.get(), orphanWait)) {
        throw kind.fail("An orphaned " + kind.name() + " (pid " + pid + ", its owner " + ownerPid
            + " is gone) still runs on data directory " + pidFile.path().getParent() + " after waiting "
            + orphanWait.toSeconds() + " s for it to stop. Kill it (kill " + pid + ") and retry.");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw kind.fail("Interrupted while waiting for orphaned " + kind.name() + " pid " + pid
          + " to exit", e);
    }
    pidFile.delete();
  }

  /** False if the pid was recycled by a process that started at another time than the recorded one. */
  private static boolean sameProcess(ProcessHandle process, PidFile.Entry entry) {
    Optional<Instant> actual = process.info().startInstant();
    if (entry.startedAt().isEmpty() || actual.isEmpty()) {
      return true;
    }
    // start instants come from /proc in clock ticks; allow for rounding
    return Math.abs(ChronoUnit.MILLIS.between(entry.startedAt().get(), actual.get())) < 1000;
  }
}

package chat.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One forked server JVM (Cassandra, Kafka), as its launcher sees it: launched with a clean environment
 * and its output appended to a console log, recorded in the data directory's {@link PidFile}, awaited
 * until ready, and stopped with SIGTERM, then SIGKILL. A start failure carries the tail of the server's
 * logs, as written by this run, so that a test report alone shows why.
 */
public final class ServerProcess {

  private static final Logger log = LoggerFactory.getLogger(ServerProcess.class);

  /** How long to wait for the process to go after SIGKILL. */
  public static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
  private static final int LOG_TAIL_LINES = 40;
  private static final long POLL_MILLIS = 200;

  /** Options the child must not inherit: its JVM flags come from {@link ServerJvm} and the server's own list. */
  private static final List<String> INHERITED_JVM_OPTION_VARIABLES =
      List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

  /** A log file and its size before the launch, so that a failure shows this run's lines, not an earlier run's. */
  private record LogMark(Path file, long offset) {
    static LogMark of(Path file) {
      try {
        return new LogMark(file, Files.isRegularFile(file) ? Files.size(file) : 0);
      } catch (IOException e) {
        return new LogMark(file, 0);
      }
    }

    String tail() {
      return LogTail.section(file, offset, LOG_TAIL_LINES);
    }
  }

  /** The readiness probe of {@link #awaitReady}; polled until it returns true. */
  @FunctionalInterface
  public interface ReadinessCheck {
    boolean ready() throws InterruptedException;
  }

  private final ServerKind kind;
  private final Process process;
  private final Path dataDir;
  private final PidFile pidFile;
  private final List<LogMark> logs;
  private final Duration stopTimeout;
  private boolean stopped;

  private ServerProcess(ServerKind kind, Process process, Path dataDir, PidFile pidFile, List<LogMark> logs,
      Duration stopTimeout) {
    this.kind = kind;
    this.process = process;
    this.dataDir = dataDir;
    this.pidFile = pidFile;
    this.logs = logs;
    this.stopTimeout = stopTimeout;
  }

  /** What {@link #prepare} resolved: the host as an IPv4 literal, the JDK and the checked classpath. */
  public record Prepared(String host, Path javaHome, ServerClasspath classpath) {
  }

  /**
   * The checks and lookups of every launch, before any file is written: the host must be IPv4 loopback,
   * a JDK the server runs on must exist, its classpath file must name only existing jars, and no earlier
   * server may still run on the data directory (created if missing; see {@link StaleServerGuard}).
   *
   * @throws RuntimeException the kind's start exception, saying which check failed
   */
  public static Prepared prepare(ServerKind kind, ServerConfig config, Path dataDir, PidFile pidFile) {
    String host = Ports.loopbackAddress(kind, config.host());
    Path javaHome = JavaHomeLocator.resolve(kind, config.javaHome());
    ServerClasspath classpath = ServerClasspath.read(kind, config.classpathFile());
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + kind.name() + " data directory " + dataDir, e);
    }
    StaleServerGuard.awaitNoStaleServer(kind, pidFile, StaleServerGuard.DEFAULT_ORPHAN_WAIT);
    return new Prepared(host, javaHome, classpath);
  }

  /**
   * Forks the server and records it in {@code pidFile}.
   *
   * @param serverLog   the server's own log file; a start failure shows its new lines, then the console log's
   * @param consoleLog  where the JVM's stdout and stderr are appended
   * @param stopTimeout how long {@link #stop()} waits after SIGTERM before it kills
   */
  public static ServerProcess launch(ServerKind kind, List<String> command, Path dataDir, PidFile pidFile,
      Path serverLog, Path consoleLog, Duration stopTimeout) {
    List<LogMark> marks = List.of(LogMark.of(serverLog), LogMark.of(consoleLog));
    Process process = fork(kind, command, dataDir, consoleLog);
    ServerProcess server = new ServerProcess(kind, process, dataDir, pidFile, marks, stopTimeout);
    try {
      pidFile.write(process.toHandle(), ProcessHandle.current());
    } catch (RuntimeException e) {
      server.stop();
      throw e;
    }
    return server;
  }

  /**
   * Runs a one-off tool of the server (e.g. Kafka's storage formatter) to completion.
   *
   * @throws RuntimeException the kind's start exception if it fails or does not finish within {@code timeout},
   *                          with the tail of the console log
   */
  public static void runToCompletion(ServerKind kind, String what, List<String> command, Path workDir,
      Path consoleLog, Duration timeout) {
    LogMark mark = LogMark.of(consoleLog);
    Process process = fork(kind, command, workDir, consoleLog);
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw kind.fail(what + " did not finish within " + timeout.toSeconds() + " s" + mark.tail());
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw kind.fail("Interrupted while running " + what, e);
    }
    if (process.exitValue() != 0) {
      throw kind.fail(what + " failed with exit code " + process.exitValue() + mark.tail());
    }
  }

  private static Process fork(ServerKind kind, List<String> command, Path workDir, Path consoleLog) {
    try {
      Files.createDirectories(consoleLog.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot create the " + kind.name() + " log directory " + consoleLog.getParent(), e);
    }
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog.toFile()));
    Map<String, String> env = builder.environment();
    INHERITED_JVM_OPTION_VARIABLES.forEach(env::remove);
    try {
      return builder.start();
    } catch (IOException e) {
      throw kind.fail("Cannot launch " + command.get(0) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Polls {@code check} until it returns true. If the process exits first, or {@code timeout} passes, or
   * the check throws, the process is stopped and the kind's start exception thrown.
   *
   * @param readiness what the server did not do in time, e.g. {@code accept CQL connections on 127.0.0.1:9042}
   */
  public void awaitReady(Duration timeout, String readiness, ReadinessCheck check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        if (!process.isAlive()) {
          throw failed(kind.name() + " (pid " + pid() + ") exited with code " + process.exitValue()
              + " during startup");
        }
        if (check.ready()) {
          return;
        }
        if (System.nanoTime() - deadline >= 0) {
          throw failed(kind.name() + " (pid " + pid() + ") did not " + readiness + " within "
              + timeout.toSeconds() + " s");
        }
        Thread.sleep(POLL_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
      throw kind.fail("Interrupted while waiting for " + kind.name() + " to start", e);
    } catch (RuntimeException e) {
      stop(); // no-op if failed() already stopped it
      throw e;
    }
  }

  /** Stops the process (it may still run after a timeout) and builds the exception with its logs. */
  private RuntimeException failed(String reason) {
    stop();
    StringBuilder message = new StringBuilder(reason).append(". Data directory: ").append(dataDir);
    logs.forEach(mark -> message.append(mark.tail()));
    return kind.fail(message.toString());
  }

  /**
   * SIGTERM, so that the server shuts down cleanly; after the stop timeout SIGKILL. Removes the pid file.
   * Idempotent, and safe to call from several threads.
   */
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    long startedNanos = System.nanoTime();
    boolean interrupted = false;
    process.destroy();
    boolean exited;
    try {
      exited = process.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      // still make sure it is gone before returning; the interrupt is restored below
      interrupted = true;
      exited = false;
    }
    if (!exited) {
      if (!interrupted) {
        log.warn("{} (pid {}) did not stop within {} s after SIGTERM; killing it", kind.name(), pid(),
            stopTimeout.toSeconds());
      }
      process.destroyForcibly();
      interrupted |= awaitExitUninterruptibly(KILL_TIMEOUT);
    }
    finish(interrupted);
    log.info("{} (pid {}) stopped in {} ms", kind.name(), pid(),
        Duration.ofNanos(System.nanoTime() - startedNanos).toMillis());
  }

  /**
   * SIGKILL at once, as a crash would: the server gets no chance to shut down cleanly. Waits until the
   * process is gone and removes the pid file. Idempotent; a no-op after {@link #stop()}.
   */
  public synchronized void kill() {
    if (stopped) {
      return;
    }
    process.destroyForcibly();
    finish(awaitExitUninterruptibly(KILL_TIMEOUT));
    log.info("{} (pid {}) killed", kind.name(), pid());
  }

  private void finish(boolean interrupted) {
    stopped = true;
    pidFile.delete();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** @return whether the thread was interrupted while waiting */
  private boolean awaitExitUninterruptibly(Duration timeout) {
    boolean interrupted = false;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (process.isAlive() && System.nanoTime() - deadline < 0) {
      try {
        process.waitFor(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (process.isAlive()) {
      log.error("{} (pid {}) is still alive {} s after SIGKILL", kind.name(), pid(), timeout.toSeconds());
    }
    return interrupted;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The server's own log. */
  public Path logFile() {
    return logs.get(0).file();
  }

  /** The JVM's stdout and stderr. */
  public Path consoleLogFile() {
    return logs.get(1).file();
  }
}

package chat.cassandra;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@link CassandraServer} and {@code chat.kafka.KafkaServer} have in common once started: a server
 * JVM of their own (see {@link ServerProcess}), stopped with SIGTERM, killed with SIGKILL, and stopped by
 * itself should this process die (see {@link ParentWatchdog}).
 */
public abstract class ForkedServer implements AutoCloseable {

  private final ServerProcess process;
  private final Duration startupDuration;

  /**
   * @param startedNanos {@link System#nanoTime()} when the start began; the server is ready now
   */
  protected ForkedServer(ServerProcess process, long startedNanos) {
    this.process = process;
    this.startupDuration = Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  /**
   * SIGTERM, so that the server shuts down cleanly (Cassandra drains and flushes); SIGKILL if it is still
   * running after its stop timeout. Removes the pid file. Idempotent, and safe to call from several threads.
   */
  public void stop() {
    process.stop();
  }

  /**
   * SIGKILL at once, as a crash would: the next start on the data directory recovers from it. Waits until
   * the process is gone and removes the pid file. Idempotent; a no-op after {@link #stop()}.
   */
  public void kill() {
    process.kill();
  }

  @Override
  public void close() {
    stop();
  }

  public long pid() {
    return process.pid();
  }

  public boolean isRunning() {
    return process.isRunning();
  }

  public Path dataDir() {
    return process.dataDir();
  }

  /** The server's own log. */
  public Path logFile() {
    return process.logFile();
  }

  /** The JVM's stdout and stderr: JVM-level errors and watchdog messages end up here. */
  public Path consoleLogFile() {
    return process.consoleLogFile();
  }

  /** From the call to {@code start} until the server was ready. */
  public Duration startupDuration() {
    return startupDuration;
  }
}

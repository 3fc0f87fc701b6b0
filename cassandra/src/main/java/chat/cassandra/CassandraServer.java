package chat.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Cassandra 5.0 in its own JVM, for development and tests.
 *
 * <p>{@link #start} forks it on JDK 17 with a generated config under the data directory, waits until
 * it accepts CQL connections, and returns; {@link #stop()} (or {@link #close()}) shuts it down. The
 * forked JVM also stops by itself when this process dies (see {@link ParentWatchdog}), so a killed
 * test run never leaves a server behind. A later start on the same data directory sees the data again.
 *
 * <pre>{@code
 * try (CassandraServer cassandra = CassandraServer.start(CassandraServerConfig.builder(dir).build())) {
 *     CqlSession.builder().addContactPoint(cassandra.contactPoint())
 *             .withLocalDatacenter(cassandra.localDatacenter()).build();
 * }
 * }</pre>
 */
public final class CassandraServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CassandraServer.class);

  static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
  private static final int LOG_TAIL_LINES = 40;
  private static final int CONNECT_TIMEOUT_MILLIS = 500;
  private static final long POLL_MILLIS = 200;

  /** Options the child must not inherit: its JVM flags come from {@link CassandraJvm} only. */
  private static final List<String> INHERITED_JVM_OPTION_VARIABLES =
      List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

  private final Process process;
  private final String host;
  private final int cqlPort;
  private final int storagePort;
  private final CassandraFiles files;
  private final LogOffsets logOffsets;
  private volatile Duration startupDuration = Duration.ZERO;
  private boolean stopped;

  private CassandraServer(Process process, String host, int cqlPort, int storagePort, CassandraFiles files,
      LogOffsets logOffsets) {
    this.process = process;
    this.host = host;
    this.cqlPort = cqlPort;
    this.storagePort = storagePort;
    this.files = files;
    this.logOffsets = logOffsets;
  }

  /**
   * Starts Cassandra and waits until it accepts CQL connections.
   *
   * @throws CassandraStartException if it cannot be started (the message says why; for a server that
   *                                 died or timed out, it includes the tail of its log). Never hangs
   *                                 longer than the startup timeout plus the stop timeout, or one
   *                                 minute more while an orphaned server on the same data directory exits.
   */
  public static CassandraServer start(CassandraServerConfig config) {
    long startedNanos = System.nanoTime();
    String host = loopbackAddress(config.host());
    Path javaHome = JavaHomeLocator.resolve(config.javaHome());
    ServerClasspath classpath = ServerClasspath.read(config.classpathFile());
    CassandraFiles files = new CassandraFiles(config.dataDir().toAbsolutePath().normalize());
    createDirectory(files.dataDir());

    StaleServerGuard.awaitNoStaleServer(files.pidFile(), StaleServerGuard.DEFAULT_ORPHAN_WAIT);

    int cqlPort = config.cqlPort() != 0 ? config.cqlPort() : Ports.pickFree(host, Set.of(config.storagePort()));
    int storagePort = config.storagePort() != 0 ? config.storagePort() : Ports.pickFree(host, Set.of(cqlPort));
    Ports.requireFree(host, cqlPort, "CQL (native_transport_port)");
    Ports.requireFree(host, storagePort, "storage (storage_port)");

    files.write(host, cqlPort, storagePort);
    List<String> command = CassandraJvm.command(
        javaHome, classpath, files, config.heap(), ProcessHandle.current().pid());
    LogOffsets offsets = LogOffsets.of(files);
    Process process = launch(command, files);
    CassandraServer server = new CassandraServer(process, host, cqlPort, storagePort, files, offsets);
    try {
      files.pidFile().write(process.toHandle(), ProcessHandle.current());
      server.awaitCql(config.startupTimeout());
    } catch (RuntimeException e) {
      server.stop(); // no-op if awaitCql already stopped it
      throw e;
    }
    server.startupDuration = Duration.ofNanos(System.nanoTime() - startedNanos);
    log.info("Cassandra started on {}:{} (pid {}, data {}) in {} ms", host, cqlPort, server.pid(),
        files.dataDir(), server.startupDuration.toMillis());
    return server;
  }

  /**
   * The IPv4 literal of {@code host}, which must be a loopback address: the server has no
   * authentication configured, so it must never listen where other machines can reach it.
   */
  private static String loopbackAddress(String host) {
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new CassandraStartException("Cannot resolve Cassandra host '" + host + "'", e);
    }
    if (!(address instanceof Inet4Address) || !address.isLoopbackAddress()) {
      throw new CassandraStartException("Cassandra host must be an IPv4 loopback address such as 127.0.0.1, "
          + "was '" + host + "' (" + address.getHostAddress() + "): this dev/test server has no "
          + "authentication and must not be reachable from other machines");
    }
    return address.getHostAddress();
  }

  private static Process launch(List<String> command, CassandraFiles files) {
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(files.dataDir().toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(files.consoleLog().toFile()));
    Map<String, String> env = builder.environment();
    INHERITED_JVM_OPTION_VARIABLES.forEach(env::remove);
    try {
      return builder.start();
    } catch (IOException e) {
      throw new CassandraStartException("Cannot launch " + command.get(0) + ": " + e.getMessage(), e);
    }
  }

  /** Polls a TCP connect to the CQL port; CQL is the last thing Cassandra opens during startup. */
  private void awaitCql(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        if (!process.isAlive()) {
          throw failed("Cassandra (pid " + pid() + ") exited with code " + process.exitValue()
              + " during startup");
        }
        if (Ports.accepts(host, cqlPort, CONNECT_TIMEOUT_MILLIS)) {
          return;
        }
        if (System.nanoTime() - deadline >= 0) {
          throw failed("Cassandra (pid " + pid() + ") did not accept CQL connections on " + host + ":"
              + cqlPort + " within " + timeout.toSeconds() + " s");
        }
        Thread.sleep(POLL_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
      throw new CassandraStartException("Interrupted while waiting for Cassandra to start", e);
    }
  }

  /** Stops the process (it may still run after a timeout) and builds the exception with its logs. */
  private CassandraStartException failed(String reason) {
    stop();
    return new CassandraStartException(reason + ". Data directory: " + files.dataDir()
        + LogTail.section(files.systemLog(), logOffsets.systemLog(), LOG_TAIL_LINES)
        + LogTail.section(files.consoleLog(), logOffsets.consoleLog(), LOG_TAIL_LINES));
  }

  /**
   * SIGTERM, so that Cassandra drains and flushes; after {@link #STOP_TIMEOUT} SIGKILL. Removes the
   * pid file. Idempotent, and safe to call from several threads.
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
      exited = process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      // still make sure it is gone before returning; the interrupt is restored below
      interrupted = true;
      exited = false;
    }
    if (!exited) {
      if (!interrupted) {
        log.warn("Cassandra (pid {}) did not stop within {} s after SIGTERM; killing it", pid(),
            STOP_TIMEOUT.toSeconds());
      }
      process.destroyForcibly();
      interrupted |= awaitExitUninterruptibly(KILL_TIMEOUT);
    }
    stopped = true;
    files.pidFile().delete();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    log.info("Cassandra (pid {}) stopped in {} ms", pid(),
        Duration.ofNanos(System.nanoTime() - startedNanos).toMillis());
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
      log.error("Cassandra (pid {}) is still alive {} s after SIGKILL", pid(), timeout.toSeconds());
    }
    return interrupted;
  }

  @Override
  public void close() {
    stop();
  }

  public String host() {
    return host;
  }

  public int cqlPort() {
    return cqlPort;
  }

  public int storagePort() {
    return storagePort;
  }

  /** Where clients connect (CQL). */
  public InetSocketAddress contactPoint() {
    return new InetSocketAddress(host, cqlPort);
  }

  /** The only datacenter; the driver requires it as its local datacenter. */
  public String localDatacenter() {
    return CassandraFiles.DATACENTER;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  public Path dataDir() {
    return files.dataDir();
  }

  /** Cassandra's own log (INFO and up). */
  public Path logFile() {
    return files.systemLog();
  }

  /** The JVM's stdout and stderr: JVM-level errors and watchdog messages end up here. */
  public Path consoleLogFile() {
    return files.consoleLog();
  }

  /** From the call to {@link #start} until CQL accepted a connection. */
  public Duration startupDuration() {
    return startupDuration;
  }

  @Override
  public String toString() {
    return "CassandraServer[" + host + ":" + cqlPort + ", pid " + pid() + ", " + files.dataDir() + "]";
  }

  private static void createDirectory(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create Cassandra data directory " + dir, e);
    }
  }

  /** Log sizes before the launch, so that a failure shows this run's lines, not an earlier run's. */
  private record LogOffsets(long systemLog, long consoleLog) {
    static LogOffsets of(CassandraFiles files) {
      return new LogOffsets(size(files.systemLog()), size(files.consoleLog()));
    }

    private static long size(Path file) {
      try {
        return Files.isRegularFile(file) ? Files.size(file) : 0;
      } catch (IOException e) {
        return 0;
      }
    }
  }
}

package chat.cassandra;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
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
public final class CassandraServer extends ForkedServer {

  private static final Logger log = LoggerFactory.getLogger(CassandraServer.class);

  /** What the generic launcher pieces need to know about Cassandra. */
  static final ServerKind KIND = new ServerKind(
      "Cassandra",
      "Cassandra 5.0",
      "CASSANDRA_JAVA_HOME",
      feature -> feature == 11 || feature == 17,
      "JDK [11, 17]",
      "chat.cassandra.server-classpath",
      Path.of("cassandra", "server", "target", "cassandra-server.classpath"),
      "mvn -pl cassandra/server generate-resources",
      CassandraStartException::new);

  static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final int CONNECT_TIMEOUT_MILLIS = 500;

  private final String host;
  private final int cqlPort;
  private final int storagePort;

  private CassandraServer(ServerProcess process, long startedNanos, String host, int cqlPort, int storagePort) {
    super(process, startedNanos);
    this.host = host;
    this.cqlPort = cqlPort;
    this.storagePort = storagePort;
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
    CassandraFiles files = new CassandraFiles(config.dataDir().toAbsolutePath().normalize());
    ServerProcess.Prepared prepared = ServerProcess.prepare(KIND, config, files.dataDir(), files.pidFile());
    String host = prepared.host();

    int cqlPort = config.cqlPort() != 0 ? config.cqlPort() : Ports.pickFree(KIND, host, Set.of(config.storagePort()));
    int storagePort = config.storagePort() != 0 ? config.storagePort() : Ports.pickFree(KIND, host, Set.of(cqlPort));
    Ports.requireFree(KIND, host, cqlPort, "CQL (native_transport_port)");
    Ports.requireFree(KIND, host, storagePort, "storage (storage_port)");

    files.write(host, cqlPort, storagePort);
    List<String> command = CassandraJvm.command(
        prepared.javaHome(), prepared.classpath(), files, config.heap(), ProcessHandle.current().pid());
    ServerProcess process = ServerProcess.launch(KIND, command, files.dataDir(), files.pidFile(),
        files.systemLog(), files.consoleLog(), STOP_TIMEOUT);
    // CQL is the last thing Cassandra opens during startup
    process.awaitReady(config.startupTimeout(), "accept CQL connections on " + host + ":" + cqlPort,
        () -> Ports.accepts(host, cqlPort, CONNECT_TIMEOUT_MILLIS));
    CassandraServer server = new CassandraServer(process, startedNanos, host, cqlPort, storagePort);
    log.info("Cassandra started on {}:{} (pid {}, data {}) in {} ms", host, cqlPort, server.pid(),
        files.dataDir(), server.startupDuration().toMillis());
    return server;
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

  @Override
  public String toString() {
    return "CassandraServer[" + host + ":" + cqlPort + ", pid " + pid() + ", " + dataDir() + "]";
  }
}

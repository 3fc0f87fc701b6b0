package chat.kafka;

import chat.cassandra.ForkedServer;
import chat.cassandra.ParentWatchdog;
import chat.cassandra.Ports;
import chat.cassandra.ServerJvm;
import chat.cassandra.ServerKind;
import chat.cassandra.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka 4.1 broker (KRaft, broker and controller in one process) in its own JVM, for
 * development and tests.
 *
 * <p>{@link #start} formats the storage if the data directory is new, forks the broker on JDK 17 with a
 * generated config under the data directory, waits until it answers an AdminClient, and returns;
 * {@link #stop()} (or {@link #close()}) shuts it down (SIGTERM, SIGKILL after {@link #STOP_TIMEOUT}),
 * {@link #kill()} kills it as a crash would. The forked
 * JVM also stops by itself when this process dies (see {@link ParentWatchdog}), so a killed test run never
 * leaves a broker behind. {@code start(server.config())} starts it again on the same ports and data.
 *
 * <pre>{@code
 * try (KafkaServer kafka = KafkaServer.start(KafkaServerConfig.builder(dir).freePorts().build())) {
 *     Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
 * }
 * }</pre>
 */
public final class KafkaServer extends ForkedServer {

  private static final Logger log = LoggerFactory.getLogger(KafkaServer.class);

  /** What the generic launcher pieces of chat-cassandra need to know about Kafka. */
  static final ServerKind KIND = new ServerKind(
      "Kafka",
      "Kafka 4.1",
      "KAFKA_JAVA_HOME",
      feature -> feature >= 17,
      "JDK 17 or newer",
      "chat.kafka.server-classpath",
      Path.of("kafka", "server", "target", "kafka-server.classpath"),
      "mvn -pl kafka/server generate-resources",
      KafkaStartException::new);

  static final String KAFKA_MAIN = "kafka.Kafka";
  static final String STORAGE_TOOL_MAIN = "kafka.tools.StorageTool";

  /** A clean shutdown of a single node takes 1-3 s; it has nobody to hand its partitions to. */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
  private static final String FORMAT_HEAP = "128m";
  private static final int CONNECT_TIMEOUT_MILLIS = 500;
  private static final int DESCRIBE_TIMEOUT_MILLIS = 2_000;

  private final KafkaServerConfig config;
  private final String host;

  private KafkaServer(ServerProcess process, long startedNanos, KafkaServerConfig config, String host) {
    super(process, startedNanos);
    this.config = config;
    this.host = host;
  }

  /**
   * Starts the broker and waits until it is ready: an AdminClient's describeCluster lists it. Formats the
   * storage first if the data directory has none yet ({@code data/meta.properties}).
   *
   * @throws KafkaStartException if it cannot be started (the message says why; for a broker that died or
   *                             timed out, it includes the tail of its log). Never hangs longer than the
   *                             format and startup timeouts plus the stop timeout, or one minute more while
   *                             an orphaned broker on the same data directory exits.
   */
  public static KafkaServer start(KafkaServerConfig config) {
    long startedNanos = System.nanoTime();
    KafkaFiles files = new KafkaFiles(config.dataDir().toAbsolutePath().normalize());
    ServerProcess.Prepared prepared = ServerProcess.prepare(KIND, config, files.dataDir(), files.pidFile());
    String host = prepared.host();

    Ports.requireFree(KIND, host, config.port(), "broker (PLAINTEXT listener)");
    Ports.requireFree(KIND, host, config.controllerPort(), "controller (CONTROLLER listener)");
    files.write(host, config.port(), config.controllerPort());
    if (!files.isFormatted()) {
      format(prepared, files);
    }

    List<String> command = ServerJvm.command(KIND, prepared.javaHome(), config.heap(), jvmOptions(files),
        prepared.classpath().entries(), ProcessHandle.current().pid(), KAFKA_MAIN,
        List.of(files.serverProperties().toString()));
    ServerProcess process = ServerProcess.launch(KIND, command, files.dataDir(), files.pidFile(),
        files.serverLog(), files.consoleLog(), STOP_TIMEOUT);
    String bootstrap = host + ":" + config.port();
    try (ReadinessProbe probe = new ReadinessProbe(host, config.port())) {
      process.awaitReady(config.startupTimeout(), "become ready (AdminClient describeCluster) on " + bootstrap,
          probe::ready);
    }
    KafkaServer server = new KafkaServer(process, startedNanos, config, host);
    log.info("Kafka started on {} (pid {}, data {}) in {} ms", bootstrap, server.pid(), files.dataDir(),
        server.startupDuration().toMillis());
    return server;
  }

  /** Once per data directory: kafka-storage format, with a fresh cluster id. */
  private static void format(ServerProcess.Prepared prepared, KafkaFiles files) {
    long startedNanos = System.nanoTime();
    List<String> command = ServerJvm.command(KIND, prepared.javaHome(), FORMAT_HEAP,
        // a one-off: the C1 compiler alone starts it faster
        List.of("-XX:TieredStopAtLevel=1", "-Dlog4j2.configurationFile=" + files.log4j2Properties()),
        prepared.classpath().entries(), ProcessHandle.current().pid(), STORAGE_TOOL_MAIN,
        List.of("format", "--cluster-id", Uuid.randomUuid().toString(),
            "--config", files.serverProperties().toString()));
    ServerProcess.runToCompletion(KIND, "Formatting the Kafka storage in " + files.logDirs(), command,
        files.dataDir(), files.consoleLog(), FORMAT_TIMEOUT);
    log.info("Formatted the Kafka storage in {} in {} ms", files.logDirs(),
        Duration.ofNanos(System.nanoTime() - startedNanos).toMillis());
  }

  private static List<String> jvmOptions(KafkaFiles files) {
    return List.of(
        "-Dlog4j2.configurationFile=" + files.log4j2Properties(),
        // log4j2's own shutdown hook would close the log before Kafka's hook has logged its shutdown
        "-Dlog4j2.shutdownHookEnabled=false",
        "-Djava.awt.headless=true");
  }

  /**
   * Ready when an AdminClient's describeCluster lists a broker, which it does only once the broker is
   * registered and unfenced, i.e. can host partitions. The listener is bound before the broker serves
   * requests, so the open port is only the cheap first check; the client is created after it, so that it
   * does not log a warning for every refused connection while the JVM starts.
   */
  private static final class ReadinessProbe implements AutoCloseable {
    private final String host;
    private final int port;
    private Admin admin;

    ReadinessProbe(String host, int port) {
      this.host = host;
      this.port = port;
    }

    boolean ready() throws InterruptedException {
      if (admin == null) {
        if (!Ports.accepts(host, port, CONNECT_TIMEOUT_MILLIS)) {
          return false;
        }
        admin = Admin.create(Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, host + ":" + port,
            AdminClientConfig.CLIENT_ID_CONFIG, "chat-kafka-launcher",
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, DESCRIBE_TIMEOUT_MILLIS,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, DESCRIBE_TIMEOUT_MILLIS));
      }
      try {
        return !admin.describeCluster(new DescribeClusterOptions().timeoutMs(DESCRIBE_TIMEOUT_MILLIS))
            .nodes().get(DESCRIBE_TIMEOUT_MILLIS * 2L, TimeUnit.MILLISECONDS).isEmpty();
      } catch (ExecutionException | TimeoutException e) {
        return false;
      }
    }

    @Override
    public void close() {
      if (admin != null) {
        admin.close(Duration.ZERO);
      }
    }
  }

  /** The config it runs with, ports included: {@code KafkaServer.start(config())} restarts it where it was. */
  public KafkaServerConfig config() {
    return config;
  }

  /** The IPv4 loopback address it listens on. */
  public String host() {
    return host;
  }

  /** The PLAINTEXT listener clients connect to. */
  public int port() {
    return config.port();
  }

  public int controllerPort() {
    return config.controllerPort();
  }

  /** {@code host:port}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return host + ":" + config.port();
  }

  @Override
  public String toString() {
    return "KafkaServer[" + bootstrapServers() + ", pid " + pid() + ", " + dataDir() + "]";
  }
}

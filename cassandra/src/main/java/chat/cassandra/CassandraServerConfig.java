package chat.cassandra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How to run one local Cassandra: where its files live, which JDK and ports it uses.
 *
 * <p>Build it with {@link #builder(Path)}; everything but the data directory has a default.
 *
 * @param dataDir        directory owned by this server: data, commit log, generated config, logs, pid file
 * @param classpathFile  file holding the Cassandra server's classpath (written by {@code cassandra/server})
 * @param javaHome       JDK to run Cassandra on; empty = located by {@link JavaHomeLocator}
 * @param host           address to bind (loopback in practice: it is a single-node dev/test server)
 * @param cqlPort        native transport (CQL) port; 0 = pick a free port at start
 * @param storagePort    internode port; 0 = pick a free port at start
 * @param heap           -Xms/-Xmx value, e.g. {@code 512m}
 * @param startupTimeout how long {@link CassandraServer#start} waits for CQL to accept connections
 */
public record CassandraServerConfig(
    Path dataDir,
    Path classpathFile,
    Optional<Path> javaHome,
    String host,
    int cqlPort,
    int storagePort,
    String heap,
    Duration startupTimeout) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_CQL_PORT = 9042;
  public static final int DEFAULT_STORAGE_PORT = 7000;
  public static final String DEFAULT_HEAP = "512m";
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(120);

  private static final Pattern HEAP = Pattern.compile("[1-9][0-9]*[kKmMgG]?");

  public CassandraServerConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(classpathFile, "classpathFile");
    Objects.requireNonNull(javaHome, "javaHome");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(heap, "heap");
    Objects.requireNonNull(startupTimeout, "startupTimeout");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    requirePort("cqlPort", cqlPort);
    requirePort("storagePort", storagePort);
    if (cqlPort != 0 && cqlPort == storagePort) {
      throw new IllegalArgumentException("cqlPort and storagePort must differ, both are " + cqlPort);
    }
    if (!HEAP.matcher(heap).matches()) {
      throw new IllegalArgumentException("heap must look like 512m or 1g, was '" + heap + "'");
    }
    if (startupTimeout.isNegative() || startupTimeout.isZero()) {
      throw new IllegalArgumentException("startupTimeout must be positive, was " + startupTimeout);
    }
  }

  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  private static void requirePort(String name, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(name + " must be 0 (pick a free port) or 1-65535, was " + port);
    }
  }

  /** Builder with the defaults documented on {@link CassandraServerConfig}. */
  public static final class Builder {
    private final Path dataDir;
    private Path classpathFile;
    private Path javaHome;
    private String host = DEFAULT_HOST;
    private int cqlPort = DEFAULT_CQL_PORT;
    private int storagePort = DEFAULT_STORAGE_PORT;
    private String heap = DEFAULT_HEAP;
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;

    private Builder(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    }

    /** Default: {@link ServerClasspath#locateClasspathFile()} (system property, else the source tree). */
    public Builder classpathFile(Path classpathFile) {
      this.classpathFile = Objects.requireNonNull(classpathFile, "classpathFile");
      return this;
    }

    public Builder javaHome(Path javaHome) {
      this.javaHome = Objects.requireNonNull(javaHome, "javaHome");
      return this;
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder cqlPort(int cqlPort) {
      this.cqlPort = cqlPort;
      return this;
    }

    public Builder storagePort(int storagePort) {
      this.storagePort = storagePort;
      return this;
    }

    /** Both ports 0: what tests want, so that they never collide with a dev server or each other. */
    public Builder freePorts() {
      this.cqlPort = 0;
      this.storagePort = 0;
      return this;
    }

    public Builder heap(String heap) {
      this.heap = heap;
      return this;
    }

    public Builder startupTimeout(Duration startupTimeout) {
      this.startupTimeout = startupTimeout;
      return this;
    }

    /**
     * @throws CassandraStartException if no classpath file was given and none can be located
     */
    public CassandraServerConfig build() {
      Path cp = classpathFile != null ? classpathFile : ServerClasspath.locateClasspathFile();
      return new CassandraServerConfig(
          dataDir, cp, Optional.ofNullable(javaHome), host, cqlPort, storagePort, heap, startupTimeout);
    }
  }
}

package chat.cassandra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

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
    Duration startupTimeout) implements ServerConfig {

  public static final String DEFAULT_HOST = ServerConfig.DEFAULT_HOST;
  public static final int DEFAULT_CQL_PORT = 9042;
  public static final int DEFAULT_STORAGE_PORT = 7000;
  public static final String DEFAULT_HEAP = "512m";
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(120);

  public CassandraServerConfig {
    ServerConfig.requireValid(dataDir, classpathFile, javaHome, host, heap, startupTimeout);
    ServerConfig.requirePorts("cqlPort", cqlPort, "storagePort", storagePort, true);
  }

  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** Builder with the defaults documented on {@link CassandraServerConfig}. */
  public static final class Builder extends ServerConfigBuilder<Builder> {
    private int cqlPort = DEFAULT_CQL_PORT;
    private int storagePort = DEFAULT_STORAGE_PORT;

    private Builder(Path dataDir) {
      super(dataDir, DEFAULT_HEAP, DEFAULT_STARTUP_TIMEOUT);
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

    /**
     * @throws CassandraStartException if no classpath file was given and none can be located
     */
    public CassandraServerConfig build() {
      Common common = common(CassandraServer.KIND);
      return new CassandraServerConfig(common.dataDir(), common.classpathFile(), common.javaHome(), common.host(),
          cqlPort, storagePort, common.heap(), common.startupTimeout());
    }
  }
}

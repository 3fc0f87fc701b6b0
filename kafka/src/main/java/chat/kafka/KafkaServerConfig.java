package chat.kafka;

import chat.cassandra.JavaHomeLocator;
import chat.cassandra.Ports;
import chat.cassandra.ServerConfig;
import chat.cassandra.ServerConfigBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * How to run one local Kafka broker: where its files live, which JDK and ports it uses.
 *
 * <p>Build it with {@link #builder(Path)}; everything but the data directory has a default. The ports are
 * always concrete: {@link Builder#freePorts()} picks them when the config is built, so that
 * {@code KafkaServer.start(config)} can be called again with the same config to restart the broker where
 * clients expect it (same ports, same data).
 *
 * @param dataDir        directory owned by this broker: topic data, generated config, logs, pid file
 * @param classpathFile  file holding the broker's classpath (written by {@code kafka/server})
 * @param javaHome       JDK to run the broker on; empty = located by {@link JavaHomeLocator}
 * @param host           address to bind, an IPv4 loopback address (no authentication is configured)
 * @param port           the PLAINTEXT listener clients bootstrap from
 * @param controllerPort the KRaft controller listener (combined mode: same process)
 * @param heap           -Xms/-Xmx value, e.g. {@code 256m}
 * @param startupTimeout how long {@link KafkaServer#start} waits for the broker to be ready
 */
public record KafkaServerConfig(
    Path dataDir,
    Path classpathFile,
    Optional<Path> javaHome,
    String host,
    int port,
    int controllerPort,
    String heap,
    Duration startupTimeout) implements ServerConfig {

  public static final int DEFAULT_PORT = 9092;
  public static final int DEFAULT_CONTROLLER_PORT = 9093;
  public static final String DEFAULT_HEAP = "256m";
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);

  /** Ports are 1-65535 here: {@link Builder#build()} has already turned 0 into a free port. */
  public KafkaServerConfig {
    ServerConfig.requireValid(dataDir, classpathFile, javaHome, host, heap, startupTimeout);
    ServerConfig.requirePorts("port", port, "controllerPort", controllerPort, false);
  }

  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** Builder with the defaults documented on {@link KafkaServerConfig}. */
  public static final class Builder extends ServerConfigBuilder<Builder> {
    private int port = DEFAULT_PORT;
    private int controllerPort = DEFAULT_CONTROLLER_PORT;

    private Builder(Path dataDir) {
      super(dataDir, DEFAULT_HEAP, DEFAULT_STARTUP_TIMEOUT);
    }

    /** 0 = a free port, picked by {@link #build()}. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** 0 = a free port, picked by {@link #build()}. */
    public Builder controllerPort(int controllerPort) {
      this.controllerPort = controllerPort;
      return this;
    }

    /**
     * Both ports free ones, picked by {@link #build()} and then fixed in the config: what tests want, so
     * that they never collide with a dev broker or each other, and can restart the broker where it was.
     */
    public Builder freePorts() {
      this.port = 0;
      this.controllerPort = 0;
      return this;
    }

    /**
     * @throws KafkaStartException if no classpath file was given and none can be located, or a free port
     *                             was asked for and none can be found on a loopback {@code host}
     */
    public KafkaServerConfig build() {
      Common common = common(KafkaServer.KIND);
      int brokerPort = port;
      int controller = controllerPort;
      if (brokerPort == 0 || controller == 0) {
        String address = Ports.loopbackAddress(KafkaServer.KIND, common.host());
        if (brokerPort == 0) {
          brokerPort = Ports.pickFree(KafkaServer.KIND, address, Set.of(controller));
        }
        if (controller == 0) {
          controller = Ports.pickFree(KafkaServer.KIND, address, Set.of(brokerPort));
        }
      }
      return new KafkaServerConfig(common.dataDir(), common.classpathFile(), common.javaHome(), common.host(),
          brokerPort, controller, common.heap(), common.startupTimeout());
    }
  }
}

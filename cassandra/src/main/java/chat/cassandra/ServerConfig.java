package chat.cassandra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What every forked server's config has besides its ports ({@link CassandraServerConfig},
 * {@code chat.kafka.KafkaServerConfig}), and the checks their canonical constructors share.
 */
public interface ServerConfig {

  /** Directory owned by the server: its data, generated config, logs and pid file. */
  Path dataDir();

  /** File holding the server's classpath, written by its pom-only module (see {@link ServerClasspath}). */
  Path classpathFile();

  /** JDK to run the server on; empty = located by {@link JavaHomeLocator}. */
  Optional<Path> javaHome();

  /** Address to bind: an IPv4 loopback address (see {@link Ports#loopbackAddress}). */
  String host();

  /** -Xms/-Xmx value, e.g. {@code 512m}. */
  String heap();

  /** How long a start waits for the server to be ready. */
  Duration startupTimeout();

  /** The default {@link #host()}. */
  String DEFAULT_HOST = "127.0.0.1";

  /**
   * @throws NullPointerException     if any is null
   * @throws IllegalArgumentException if the host is blank, the heap does not look like {@code 512m} or
   *                                  {@code 1g}, or the startup timeout is not positive
   */
  static void requireValid(Path dataDir, Path classpathFile, Optional<Path> javaHome, String host, String heap,
      Duration startupTimeout) {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(classpathFile, "classpathFile");
    Objects.requireNonNull(javaHome, "javaHome");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(heap, "heap");
    Objects.requireNonNull(startupTimeout, "startupTimeout");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (!heap.matches("[1-9][0-9]*[kKmMgG]?")) {
      throw new IllegalArgumentException("heap must look like 512m or 1g, was '" + heap + "'");
    }
    if (startupTimeout.isNegative() || startupTimeout.isZero()) {
      throw new IllegalArgumentException("startupTimeout must be positive, was " + startupTimeout);
    }
  }

  /**
   * Two ports of one server: each 1-65535 (or 0 where that means "pick a free one at start"), and not
   * the same one.
   */
  static void requirePorts(String name, int port, String otherName, int otherPort, boolean zeroAllowed) {
    requirePort(name, port, zeroAllowed);
    requirePort(otherName, otherPort, zeroAllowed);
    if (port != 0 && port == otherPort) {
      throw new IllegalArgumentException(name + " and " + otherName + " must differ, both are " + port);
    }
  }

  private static void requirePort(String name, int port, boolean zeroAllowed) {
    if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
      throw new IllegalArgumentException(name + " must be " + (zeroAllowed ? "0 (pick a free port) or " : "")
          + "1-65535, was " + port);
    }
  }
}

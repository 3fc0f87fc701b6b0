package chat.cassandra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The setters every forked server's config builder has besides its ports, with their defaults.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class ServerConfigBuilder<B extends ServerConfigBuilder<B>> {

  private final Path dataDir;
  private Path classpathFile;
  private Path javaHome;
  private String host = ServerConfig.DEFAULT_HOST;
  private String heap;
  private Duration startupTimeout;

  protected ServerConfigBuilder(Path dataDir, String defaultHeap, Duration defaultStartupTimeout) {
    this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    this.heap = defaultHeap;
    this.startupTimeout = defaultStartupTimeout;
  }

  /** Default: {@link ServerClasspath#locateClasspathFile} (system property, else the source tree). */
  public B classpathFile(Path classpathFile) {
    this.classpathFile = Objects.requireNonNull(classpathFile, "classpathFile");
    return self();
  }

  /** Default: located by {@link JavaHomeLocator}. */
  public B javaHome(Path javaHome) {
    this.javaHome = Objects.requireNonNull(javaHome, "javaHome");
    return self();
  }

  /** Default {@value ServerConfig#DEFAULT_HOST}; must be an IPv4 loopback address. */
  public B host(String host) {
    this.host = host;
    return self();
  }

  public B heap(String heap) {
    this.heap = heap;
    return self();
  }

  public B startupTimeout(Duration startupTimeout) {
    this.startupTimeout = startupTimeout;
    return self();
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * The settings every config has, defaults applied, for the concrete builder's {@code build()}.
   *
   * @throws RuntimeException the kind's start exception if no classpath file was given and none can be located
   */
  protected Common common(ServerKind kind) {
    return new Common(dataDir, classpathFile != null ? classpathFile : ServerClasspath.locateClasspathFile(kind),
        Optional.ofNullable(javaHome), host, heap, startupTimeout);
  }

  /** See {@link ServerConfig} for each. */
  protected record Common(Path dataDir, Path classpathFile, Optional<Path> javaHome, String host, String heap,
      Duration startupTimeout) {
  }
}

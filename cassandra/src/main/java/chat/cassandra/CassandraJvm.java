package chat.cassandra;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The command line of the forked Cassandra JVM. The one place for its JVM flags.
 */
final class CassandraJvm {

  static final String CASSANDRA_MAIN = "org.apache.cassandra.service.CassandraDaemon";

  /**
   * Module-system flags for Cassandra 5.0 on JDK 17, taken from Cassandra's {@code jvm17-server.options}
   * and trimmed: the exports for JMX over RMI (JMX stays off here), for javac and jdk.attach (UDF
   * compilation and the sjk/nodetool profilers, unused) and the no-op {@code java.sql} export are left
   * out. The rest is needed by Cassandra itself: direct-buffer cleaning and file descriptors
   * ({@code jdk.internal.ref}, {@code jdk.internal.misc}, {@code sun.nio.ch}, {@code java.io}),
   * Unsafe ({@code sun.misc}), and jamm's object-graph measurement, which reflects into whatever
   * JDK objects memtables and caches hold ({@code java.lang}, {@code java.util}, the internal loaders).
   */
  private static final List<String> MODULE_FLAGS = List.of(
      "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
      "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
      "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.base/java.io=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/java.util=ALL-UNNAMED");

  private CassandraJvm() {
  }

  static List<String> command(Path javaHome, ServerClasspath classpath, CassandraFiles files, String heap,
      long parentPid) {
    List<String> cmd = new ArrayList<>();
    cmd.add(JavaHomeLocator.javaExecutable(javaHome).toString());
    cmd.addAll(List.of(
        "-Xms" + heap,
        "-Xmx" + heap,
        "-XX:+UseG1GC",
        // a half-dead server after an OOM is worse than one that is gone and says so in console.log
        "-XX:+ExitOnOutOfMemoryError",
        "-javaagent:" + classpath.jammAgent(),
        // jamm and Cassandra's own instrumentation attach to the running JVM
        "-Djdk.attach.allowAttachSelf=true",
        // lets Netty allocate direct buffers through Unsafe (Cassandra's default)
        "-Dio.netty.tryReflectionSetAccessible=true"));
    cmd.addAll(MODULE_FLAGS);
    cmd.addAll(List.of(
        "-Dcassandra.config=" + files.cassandraYaml().toUri(),
        "-Dcassandra.storagedir=" + files.dataDir(),
        "-Dcassandra.logdir=" + files.logDir(),
        "-Dcassandra.triggers_dir=" + files.triggersDir(),
        "-Dlogback.configurationFile=" + files.logbackXml(),
        // stay attached: we own the process and its output
        "-Dcassandra-foreground=yes",
        // a single node has nobody to gossip with: skip the waits meant for real clusters
        "-Dcassandra.skip_wait_for_gossip_to_settle=0",
        "-Dcassandra.ring_delay_ms=0",
        "-Dcassandra.superuser_setup_delay_ms=0",
        // and on shutdown: no peers to announce it to (2 s) or to drain messages to (2 s)
        "-Dcassandra.shutdown_announce_in_ms=0",
        "-Dcassandra.test.messagingService.nonGracefulShutdown=true",
        // Schema changes are durable through the commit log like any write. Flushing the schema
        // tables after each one (startup itself makes dozens) took startup from ~5 s to ~9 s here
        // and made every CREATE/DROP in a test run slower.
        "-Dcassandra.test.flush_local_schema_changes=false",
        "-cp", classpath(classpath),
        ParentWatchdog.class.getName(),
        Long.toString(parentPid),
        CASSANDRA_MAIN));
    return cmd;
  }

  /**
   * Cassandra's jars, then the location of {@link ParentWatchdog} (our classes dir or jar). Ours comes
   * last so that, should it be a jar with more in it, Cassandra's own classes always win.
   */
  private static String classpath(ServerClasspath classpath) {
    return Stream.concat(classpath.entries().stream(), Stream.of(watchdogLocation()))
        .map(Path::toString)
        .collect(Collectors.joining(File.pathSeparator));
  }

  static Path watchdogLocation() {
    CodeSource source = ParentWatchdog.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      throw new CassandraStartException("Cannot tell where " + ParentWatchdog.class.getName()
          + " was loaded from, so the Cassandra JVM could not run it");
    }
    try {
      return Path.of(source.getLocation().toURI());
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new CassandraStartException("Cannot use " + source.getLocation() + " (the location of "
          + ParentWatchdog.class.getName() + ") on the Cassandra JVM's classpath", e);
    }
  }
}

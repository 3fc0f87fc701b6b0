package chat.cassandra;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of the forked Cassandra JVM. The one place for its own JVM flags; those common to
 * every forked server are in {@link ServerJvm}.
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
    List<String> options = new ArrayList<>();
    options.addAll(List.of(
        "-javaagent:" + classpath.jammAgent(),
        // jamm and Cassandra's own instrumentation attach to the running JVM
        "-Djdk.attach.allowAttachSelf=true",
        // lets Netty allocate direct buffers through Unsafe (Cassandra's default)
        "-Dio.netty.tryReflectionSetAccessible=true"));
    options.addAll(MODULE_FLAGS);
    options.addAll(List.of(
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
        "-Dcassandra.test.flush_local_schema_changes=false"));
    return ServerJvm.command(CassandraServer.KIND, javaHome, heap, options, classpath.entries(), parentPid,
        CASSANDRA_MAIN, List.of());
  }
}

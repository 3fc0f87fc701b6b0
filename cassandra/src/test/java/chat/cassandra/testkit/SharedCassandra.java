package chat.cassandra.testkit;

import chat.cassandra.CassandraServer;
import chat.cassandra.CassandraServerConfig;
import chat.cassandra.ContactPoints;
import chat.cassandra.CqlSessions;
import chat.cassandra.DataDirectories;
import chat.cassandra.SchemaMigrator;
import com.datastax.oss.driver.api.core.CqlSession;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Cassandra of a test JVM (started here, or external), with an admin session for creating and
 * dropping keyspaces. Lives in the root extension store, which closes it when the test run ends.
 */
final class SharedCassandra implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SharedCassandra.class);

  private final CassandraServer server;
  private final Path dataDir;
  private final InetSocketAddress contactPoint;
  private final String localDatacenter;
  private final CqlSession adminSession;

  private SharedCassandra(CassandraServer server, Path dataDir, InetSocketAddress contactPoint,
      String localDatacenter, CqlSession adminSession) {
    this.server = server;
    this.dataDir = dataDir;
    this.contactPoint = contactPoint;
    this.localDatacenter = localDatacenter;
    this.adminSession = adminSession;
  }

  static SharedCassandra start() {
    String external = System.getProperty(CassandraExtension.CONTACT_POINT_PROPERTY);
    if (external != null && !external.isBlank()) {
      InetSocketAddress contactPoint = ContactPoints.parse(external);
      String datacenter = System.getProperty(CassandraExtension.DATACENTER_PROPERTY, "datacenter1");
      log.info("Tests use the external Cassandra at {} (datacenter {})", external, datacenter);
      return new SharedCassandra(null, null, contactPoint, datacenter, connect(contactPoint, datacenter));
    }
    // under the module's target/, so that `mvn clean` removes whatever a killed run left behind
    Path dataDir = Path.of(System.getProperty("user.dir"), "target",
        "it-cassandra-" + UUID.randomUUID().toString().substring(0, 8));
    CassandraServer server = CassandraServer.start(CassandraServerConfig.builder(dataDir).freePorts().build());
    try {
      CqlSession session = connect(server.contactPoint(), server.localDatacenter());
      requireOnly(session, server.contactPoint());
      return new SharedCassandra(server, dataDir, server.contactPoint(), server.localDatacenter(), session);
    } catch (RuntimeException e) {
      server.stop();
      DataDirectories.deleteRecursively(dataDir);
      throw e;
    }
  }

  private static CqlSession connect(InetSocketAddress contactPoint, String datacenter) {
    return CqlSessions.builder(contactPoint, datacenter).build();
  }

  /**
   * The server started here is a cluster of one: a session that knows any other node reached another
   * Cassandra on this machine (the dev one, say), and would create the test keyspaces there.
   */
  private static void requireOnly(CqlSession session, InetSocketAddress contactPoint) {
    List<SocketAddress> nodes = session.getMetadata().getNodes().values().stream()
        .map(node -> node.getEndPoint().resolve()).toList();
    if (!nodes.equals(List.of(contactPoint))) {
      session.close();
      throw new IllegalStateException("A session to the test Cassandra at " + ContactPoints.format(contactPoint)
          + " sees the nodes " + nodes + " instead of that one alone");
    }
  }

  /** Creates {@code keyspace} with the full schema (single replica: one test node). */
  TestCassandra createKeyspace(String keyspace) {
    new SchemaMigrator(adminSession).migrate(keyspace, SchemaMigrator.DEFAULT_REPLICATION);
    return new TestCassandra(contactPoint, localDatacenter, keyspace, server);
  }

  void dropKeyspace(String keyspace) {
    new SchemaMigrator(adminSession).dropKeyspace(keyspace);
  }

  @Override
  public void close() {
    try {
      adminSession.close();
    } finally {
      if (server != null) {
        server.stop();
        DataDirectories.deleteRecursively(dataDir);
      }
    }
  }
}

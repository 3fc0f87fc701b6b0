package chat.cassandra.testkit;

import chat.cassandra.CassandraServer;
import chat.cassandra.CqlSessions;
import com.datastax.oss.driver.api.core.CqlSession;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * What a test class gets from {@link CassandraExtension}: where Cassandra is, and a keyspace of its
 * own that already has the full schema. Inject it as a parameter of a constructor, a lifecycle
 * method or a test method.
 */
public final class TestCassandra {

  private final InetSocketAddress contactPoint;
  private final String localDatacenter;
  private final String keyspace;
  private final CassandraServer server;

  TestCassandra(InetSocketAddress contactPoint, String localDatacenter, String keyspace, CassandraServer server) {
    this.contactPoint = Objects.requireNonNull(contactPoint, "contactPoint");
    this.localDatacenter = Objects.requireNonNull(localDatacenter, "localDatacenter");
    this.keyspace = Objects.requireNonNull(keyspace, "keyspace");
    this.server = server;
  }

  /** CQL endpoint, e.g. for {@code datastax-java-driver.basic.contact-points}. */
  public InetSocketAddress contactPoint() {
    return contactPoint;
  }

  public String host() {
    return contactPoint.getHostString();
  }

  public int port() {
    return contactPoint.getPort();
  }

  /** This test class's keyspace, with all migrations applied; dropped after the class. */
  public String keyspace() {
    return keyspace;
  }

  /** For {@code datastax-java-driver.basic.load-balancing-policy.local-datacenter}. */
  public String localDatacenter() {
    return localDatacenter;
  }

  /**
   * A new session using {@link #keyspace()}; the caller closes it. Driver settings come from the
   * test classpath's application.conf as usual, except that this server is the only contact point
   * and closing is quicker (see {@link CqlSessions}).
   */
  public CqlSession newSession() {
    return CqlSessions.builder(contactPoint, localDatacenter).withKeyspace(keyspace).build();
  }

  /** The server this test run started, or empty when the tests use an external Cassandra. */
  public Optional<CassandraServer> server() {
    return Optional.ofNullable(server);
  }

  @Override
  public String toString() {
    return "TestCassandra[" + host() + ":" + port() + ", keyspace " + keyspace + "]";
  }
}

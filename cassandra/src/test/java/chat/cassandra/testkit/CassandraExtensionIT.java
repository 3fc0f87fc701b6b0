package chat.cassandra.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.CassandraServer;
import com.datastax.oss.driver.api.core.CqlSession;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** How tests see the extension: constructor, @BeforeAll and test-method injection, nested classes. */
@ExtendWith(CassandraExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CassandraExtensionIT {

  private static TestCassandra fromBeforeAll;
  private final TestCassandra fromConstructor;

  CassandraExtensionIT(TestCassandra cassandra) {
    this.fromConstructor = cassandra;
  }

  @BeforeAll
  static void remember(TestCassandra cassandra) {
    fromBeforeAll = cassandra;
  }

  @Test
  void oneKeyspacePerClassNamedAfterIt(TestCassandra cassandra) {
    assertSame(fromBeforeAll, cassandra);
    assertSame(fromBeforeAll, fromConstructor);
    assertTrue(cassandra.keyspace().matches("cassandra_extension_it_[0-9a-f]{8}"), cassandra.keyspace());
  }

  @Test
  void sessionsAreBoundToTheKeyspaceWithTheSchema(TestCassandra cassandra) {
    try (CqlSession session = cassandra.newSession()) {
      assertEquals(cassandra.keyspace(), session.getKeyspace().orElseThrow().asInternal());
      assertEquals(0, session.execute("SELECT * FROM messages").all().size());
    }
  }

  @Test
  void serverRunsOnLoopbackWithDataUnderTarget(TestCassandra cassandra) {
    if (System.getProperty(CassandraExtension.CONTACT_POINT_PROPERTY) != null) {
      assertTrue(cassandra.server().isEmpty());
      return;
    }
    CassandraServer server = cassandra.server().orElseThrow();
    assertEquals("127.0.0.1", cassandra.host());
    assertEquals(server.cqlPort(), cassandra.port());
    assertEquals("datacenter1", cassandra.localDatacenter());
    assertTrue(server.dataDir().startsWith(Path.of(System.getProperty("user.dir"), "target")), server.dataDir()
        .toString());
    assertTrue(server.dataDir().getFileName().toString().startsWith("it-cassandra-"));
  }

  @Nested
  class NestedTests {
    @Test
    void shareTheOuterClassKeyspace(TestCassandra cassandra) {
      assertSame(fromBeforeAll, cassandra);
    }
  }
}

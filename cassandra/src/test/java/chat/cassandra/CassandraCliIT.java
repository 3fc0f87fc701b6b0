package chat.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import com.datastax.oss.driver.api.core.CqlSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(CassandraExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CassandraCliIT {

  @Test
  void migrateCreatesTheKeyspaceThenHasNothingToDo(TestCassandra cassandra) {
    String keyspace = cassandra.keyspace() + "_cli";
    String contactPoint = cassandra.host() + ":" + cassandra.port();
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      CassandraCli cli = new CassandraCli(new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));

      assertEquals(0, cli.run("migrate", "--contact-point", contactPoint, "--keyspace", keyspace,
          "--replication", "{'class': 'SimpleStrategy', 'replication_factor': 1}",
          "--datacenter", cassandra.localDatacenter()), err.toString(StandardCharsets.UTF_8));
      String first = out.toString(StandardCharsets.UTF_8);
      assertTrue(first.contains("Applied 3 migration(s) to keyspace " + keyspace), first);
      assertTrue(first.contains("001_journal.cql") && first.contains("002_snapshots.cql") && first.contains("003_push_offsets.cql"), first);

      out.reset();
      assertEquals(0, cli.run("migrate", "--contact-point=" + contactPoint, "--keyspace=" + keyspace));
      assertTrue(out.toString(StandardCharsets.UTF_8).contains("is up to date; nothing applied"),
          out.toString(StandardCharsets.UTF_8));
    } finally {
      try (CqlSession session = cassandra.newSession()) {
        new SchemaMigrator(session).dropKeyspace(keyspace);
      }
    }
  }
}

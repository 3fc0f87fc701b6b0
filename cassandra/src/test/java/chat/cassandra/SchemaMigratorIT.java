package chat.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The schema against a real Cassandra; the extension has already migrated this class's keyspace. */
@ExtendWith(CassandraExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SchemaMigratorIT {

  private static final Set<String> PLUGIN_TABLES = Set.of("messages", "tag_views", "tag_write_progress",
      "tag_scanning", "metadata", "all_persistence_ids", "snapshots");

  private static CqlSession session;

  @BeforeAll
  static void connect(TestCassandra cassandra) {
    session = cassandra.newSession();
  }

  @AfterAll
  static void disconnect() {
    if (session != null) {
      session.close();
    }
  }

  @Test
  void allTablesExistAndEveryMigrationIsRecorded(TestCassandra cassandra) {
    Set<String> tables = session.execute(
            "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", cassandra.keyspace())
        .all().stream().map(r -> r.getString("table_name")).collect(Collectors.toSet());
    assertTrue(tables.containsAll(PLUGIN_TABLES), "tables: " + tables);
    assertTrue(tables.contains("schema_migrations"), "tables: " + tables);

    Map<Integer, String> recorded = session.execute("SELECT version, checksum FROM schema_migrations").all()
        .stream().collect(Collectors.toMap(r -> r.getInt("version"), r -> r.getString("checksum")));
    Map<Integer, String> expected = Migrations.bundled().stream()
        .collect(Collectors.toMap(Migration::version, Migration::checksum));
    assertEquals(expected, recorded);
  }

  @Test
  void keysAreThoseThePluginReadsAndWrites(TestCassandra cassandra) {
    assertEquals(List.of("partition_key:persistence_id", "partition_key:partition_nr",
        "clustering:sequence_nr:asc", "clustering:timestamp:asc"), keyColumns(cassandra, "messages"));
    assertEquals(List.of("partition_key:tag_name", "partition_key:timebucket", "clustering:timestamp:asc",
        "clustering:persistence_id:asc", "clustering:tag_pid_sequence_nr:asc"),
        keyColumns(cassandra, "tag_views"));
    assertEquals(List.of("partition_key:persistence_id", "clustering:sequence_nr:desc"),
        keyColumns(cassandra, "snapshots"));
    assertEquals(List.of("partition_key:persistence_id", "clustering:tag:asc"),
        keyColumns(cassandra, "tag_write_progress"));
  }

  @Test
  void secondRunAppliesNothing(TestCassandra cassandra) {
    assertEquals(List.of(), new SchemaMigrator(session).migrate(cassandra.keyspace(),
        SchemaMigrator.DEFAULT_REPLICATION));
  }

  @Test
  void changedMigrationIsDetectedBeforeAnythingIsApplied(TestCassandra cassandra) {
    List<Migration> migrations = new ArrayList<>(Migrations.bundled());
    Migration original = migrations.get(0);
    migrations.set(0, Migration.of(original.name(), original.script() + "\n-- an innocent-looking edit\n"));
    migrations.add(Migration.of("999_never.cql", "CREATE TABLE ${keyspace}.never (k int PRIMARY KEY);\n"));

    SchemaMigrationException e = assertThrows(SchemaMigrationException.class,
        () -> new SchemaMigrator(session, migrations).migrate(cassandra.keyspace(),
            SchemaMigrator.DEFAULT_REPLICATION));

    assertTrue(e.getMessage().contains("001_journal.cql"), e.getMessage());
    assertTrue(e.getMessage().contains(original.checksum()), e.getMessage());
    assertEquals(0, session.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? "
        + "AND table_name = 'never'", cassandra.keyspace()).all().size(), "nothing applied");
  }

  @Test
  void newMigrationsApplyInOrderToAFreshKeyspaceAndItCanBeDropped(TestCassandra cassandra) {
    String keyspace = cassandra.keyspace() + "_extra";
    SchemaMigrator bundled = new SchemaMigrator(session);
    List<Migration> extended = new ArrayList<>(bundled.migrations());
    extended.add(Migration.of("999_extra.cql", "-- test only\nCREATE TABLE ${keyspace}.extra (\n"
        + "  k int PRIMARY KEY);\nINSERT INTO ${keyspace}.extra (k) VALUES (1);\n"));
    try {
      assertEquals(bundled.migrations(), bundled.migrate(keyspace, SchemaMigrator.DEFAULT_REPLICATION));
      SchemaMigrator next = new SchemaMigrator(session, extended);
      assertEquals(List.of(extended.get(extended.size() - 1)), next.migrate(keyspace, SchemaMigrator.DEFAULT_REPLICATION));
      assertEquals(List.of(), next.migrate(keyspace, SchemaMigrator.DEFAULT_REPLICATION));
      assertEquals(1, session.execute("SELECT k FROM " + keyspace + ".extra").one().getInt("k"));
    } finally {
      bundled.dropKeyspace(keyspace);
    }
    assertEquals(0, session.execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?",
        keyspace).all().size());
  }

  @Test
  void rejectsBadKeyspaceNamesAndReplication() {
    SchemaMigrator migrator = new SchemaMigrator(session);
    String tooLong = "k".repeat(49);
    for (String bad : new String[] {"Chat", "1chat", "chat-prod", "", "chat;drop", tooLong}) {
      assertThrows(IllegalArgumentException.class,
          () -> migrator.migrate(bad, SchemaMigrator.DEFAULT_REPLICATION), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> migrator.migrate(null, SchemaMigrator.DEFAULT_REPLICATION));
    assertThrows(IllegalArgumentException.class, () -> migrator.dropKeyspace("System"));
    assertThrows(IllegalArgumentException.class,
        () -> migrator.migrate("chat", "{'class':'SimpleStrategy'}; DROP KEYSPACE x"));
    assertThrows(IllegalArgumentException.class, () -> migrator.migrate("chat", "SimpleStrategy"));
    assertEquals("k".repeat(48), SchemaMigrator.requireValidKeyspace("k".repeat(48)));
  }

  /** "kind:name[:order]" in key order, from system_schema.columns. */
  private static List<String> keyColumns(TestCassandra cassandra, String table) {
    List<Row> rows = session.execute("SELECT column_name, kind, position, clustering_order "
        + "FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?", cassandra.keyspace(), table)
        .all();
    return rows.stream()
        .filter(r -> !r.getString("kind").equals("regular"))
        .sorted((a, b) -> a.getString("kind").equals(b.getString("kind"))
            ? Integer.compare(a.getInt("position"), b.getInt("position"))
            : b.getString("kind").compareTo(a.getString("kind")))
        .map(r -> r.getString("kind") + ":" + r.getString("column_name")
            + (r.getString("kind").equals("clustering") ? ":" + r.getString("clustering_order") : ""))
        .toList();
  }
}

package chat.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationsTest {

  @Test
  void bundledMigrationsAreListedInOrder() {
    List<Migration> migrations = Migrations.bundled();
    assertEquals(List.of("001_journal.cql", "002_snapshots.cql", "003_push_offsets.cql"), migrations.stream().map(Migration::name).toList());
    assertEquals(List.of(1, 2, 3), migrations.stream().map(Migration::version).toList());
  }

  @Test
  void journalCreatesThePluginsTablesInTheGivenKeyspace() {
    List<String> statements = Migrations.bundled().get(0).statements("chat");
    assertEquals(6, statements.size());
    List<String> tables = List.of("messages", "tag_views", "tag_write_progress", "tag_scanning", "metadata",
        "all_persistence_ids");
    for (int i = 0; i < tables.size(); i++) {
      assertTrue(statements.get(i).startsWith("CREATE TABLE IF NOT EXISTS chat." + tables.get(i) + " ("),
          statements.get(i));
    }
    statements.forEach(s -> assertTrue(!s.contains("${") && !s.endsWith(";"), s));
  }

  @Test
  void snapshotsAreNewestFirst() {
    List<String> statements = Migrations.bundled().get(1).statements("chat");
    assertEquals(1, statements.size());
    assertTrue(statements.get(0).contains("CREATE TABLE IF NOT EXISTS chat.snapshots ("));
    assertTrue(statements.get(0).contains("CLUSTERING ORDER BY (sequence_nr DESC)"));
  }

  @Test
  void checksumIgnoresLineEndingsButNothingElse() {
    Migration unix = Migration.of("001_a.cql", "CREATE TABLE x (k int PRIMARY KEY);\n");
    Migration windows = Migration.of("001_a.cql", "CREATE TABLE x (k int PRIMARY KEY);\r\n");
    Migration changed = Migration.of("001_a.cql", "CREATE TABLE x (k text PRIMARY KEY);\n");
    assertEquals(unix.checksum(), windows.checksum());
    assertNotEquals(unix.checksum(), changed.checksum());
    assertEquals(64, unix.checksum().length());
  }

  @Test
  void fileNamesMustCarryAVersion() {
    assertThrows(IllegalArgumentException.class, () -> Migration.of("journal.cql", ""));
    assertThrows(IllegalArgumentException.class, () -> Migration.of("1_journal.cql", ""));
    assertThrows(IllegalArgumentException.class, () -> Migration.of("001_Journal.cql", ""));
    assertEquals(12, Migration.of("012_x.cql", "").version());
  }

  @Test
  void statementsEndWithASemicolonAtTheEndOfALine() {
    String script = """
        -- a comment; with a semicolon
        CREATE TABLE a (
          k text, -- inline comments stay
          PRIMARY KEY (k));
        // another comment;

        INSERT INTO a (k) VALUES ('x;y');
        """;
    assertEquals(List.of("CREATE TABLE a (\n  k text, -- inline comments stay\n  PRIMARY KEY (k))",
        "INSERT INTO a (k) VALUES ('x;y')"), CqlScript.statements(script));
  }

  @Test
  void unterminatedStatementIsAnError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CqlScript.statements("CREATE TABLE a (k text PRIMARY KEY)\n"));
    assertTrue(e.getMessage().contains("CREATE TABLE a"), e.getMessage());
  }
}

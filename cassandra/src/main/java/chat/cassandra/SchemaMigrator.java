package chat.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a keyspace to the current schema: the versioned CQL files under {@code chat/cassandra/schema/}
 * (listed in {@code migrations.txt}), applied in order and recorded in {@code <keyspace>.schema_migrations}.
 *
 * <p>Run it from one process at a time (the CLI, or a single dev node): Cassandra does not handle
 * concurrent schema changes well. A second run applies nothing. A migration that was applied and has
 * changed since fails the run: applied migrations are immutable, a change needs a new file.
 */
public final class SchemaMigrator {

  private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);

  /** Single-node dev and test servers. Production passes its own (e.g. NetworkTopologyStrategy). */
  public static final String DEFAULT_REPLICATION = "{'class':'SimpleStrategy','replication_factor':1}";

  /** Cassandra allows 48 characters; lower case only, so that names never need quoting. */
  private static final Pattern KEYSPACE = Pattern.compile("[a-z][a-z0-9_]{0,47}");
  private static final Pattern REPLICATION = Pattern.compile("\\{[^;{}]*}");

  /** Schema changes wait for all nodes to agree; on a busy 2-core machine that takes seconds, not ms. */
  private static final Duration DDL_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(15);

  private final CqlSession session;
  private final List<Migration> migrations;

  /** A migrator for the migrations shipped with this module. */
  public SchemaMigrator(CqlSession session) {
    this(session, Migrations.bundled());
  }

  SchemaMigrator(CqlSession session, List<Migration> migrations) {
    this.session = Objects.requireNonNull(session, "session");
    this.migrations = List.copyOf(migrations);
  }

  /** All known migrations, in order. */
  public List<Migration> migrations() {
    return migrations;
  }

  /**
   * Creates the keyspace if missing (with {@code replication}, e.g. {@link #DEFAULT_REPLICATION}; an
   * existing keyspace keeps its own), then applies the migrations not yet recorded in it.
   *
   * @return the migrations applied by this call, in order; empty if the schema was up to date
   * @throws IllegalArgumentException  if the keyspace name or the replication clause is malformed
   * @throws SchemaMigrationException if an applied migration has changed or a statement fails
   */
  public List<Migration> migrate(String keyspace, String replication) {
    requireValidKeyspace(keyspace);
    requireValidReplication(replication);
    return withoutSchemaMetadata(() -> migrateNow(keyspace, replication.strip()));
  }

  private List<Migration> migrateNow(String keyspace, String replication) {
    ddl("CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = " + replication);
    ddl("CREATE TABLE IF NOT EXISTS " + keyspace + ".schema_migrations ("
        + "version int PRIMARY KEY, name text, checksum text, applied_at timestamp)");

    Map<Integer, Row> applied = appliedMigrations(keyspace);
    verifyUnchanged(keyspace, applied);

    List<Migration> pending = migrations.stream().filter(m -> !applied.containsKey(m.version())).toList();
    pending.forEach(m -> apply(keyspace, m));
    return pending;
  }

  /** Drops the keyspace and all its data, if it exists. For tests and dev resets. */
  public void dropKeyspace(String keyspace) {
    requireValidKeyspace(keyspace);
    withoutSchemaMetadata(() -> {
      ddl("DROP KEYSPACE IF EXISTS " + keyspace);
      return null;
    });
  }

  /**
   * @return the name
   * @throws IllegalArgumentException unless it matches {@code [a-z][a-z0-9_]{0,47}}
   */
  public static String requireValidKeyspace(String keyspace) {
    if (keyspace == null || !KEYSPACE.matcher(keyspace).matches()) {
      throw new IllegalArgumentException("Invalid keyspace name '" + keyspace + "': use a lower-case letter "
          + "followed by up to 47 lower-case letters, digits or underscores");
    }
    return keyspace;
  }

  private static void requireValidReplication(String replication) {
    if (replication == null || !REPLICATION.matcher(replication.strip()).matches()) {
      throw new IllegalArgumentException("Invalid replication '" + replication + "': expected a CQL map such as "
          + DEFAULT_REPLICATION);
    }
  }

  private Map<Integer, Row> appliedMigrations(String keyspace) {
    ResultSet rows = session.execute(SimpleStatement
        .newInstance("SELECT version, name, checksum FROM " + keyspace + ".schema_migrations")
        .setConsistencyLevel(ConsistencyLevel.LOCAL_QUORUM)
        .setTimeout(QUERY_TIMEOUT));
    Map<Integer, Row> applied = new HashMap<>();
    for (Row row : rows) {
      applied.put(row.getInt("version"), row);
    }
    return applied;
  }

  /** Fails before changing anything if a recorded migration no longer matches its file. */
  private void verifyUnchanged(String keyspace, Map<Integer, Row> applied) {
    for (Migration migration : migrations) {
      Row row = applied.get(migration.version());
      if (row != null) {
        requireSame(keyspace, migration, row.getString("name"), row.getString("checksum"));
      }
    }
    List<Integer> unknown = applied.keySet().stream()
        .filter(v -> migrations.stream().noneMatch(m -> m.version() == v))
        .sorted()
        .toList();
    if (!unknown.isEmpty()) {
      // e.g. an older node during a rolling upgrade: the newer schema is a superset, carry on
      log.warn("Keyspace {} has migrations {} that this version does not know; it was migrated by a newer "
          + "version", keyspace, unknown);
    }
  }

  private static void requireSame(String keyspace, Migration migration, String recordedName,
      String recordedChecksum) {
    if (!migration.name().equals(recordedName) || !migration.checksum().equals(recordedChecksum)) {
      throw new SchemaMigrationException("Migration " + migration.version() + " was applied to keyspace "
          + keyspace + " as " + recordedName + " with SHA-256 " + recordedChecksum + ", but the current file "
          + migration.name() + " has SHA-256 " + migration.checksum() + ". Applied migrations must not "
          + "change: restore the file and put the change in a new migration.");
    }
  }

  private void apply(String keyspace, Migration migration) {
    log.info("Applying schema migration {} to keyspace {}", migration.name(), keyspace);
    List<String> statements = migration.statements(keyspace);
    for (int i = 0; i < statements.size(); i++) {
      try {
        ddl(statements.get(i));
      } catch (DriverException e) {
        throw new SchemaMigrationException("Migration " + migration.name() + " failed at statement "
            + (i + 1) + " of " + statements.size() + " in keyspace " + keyspace + ": " + e.getMessage()
            + "\n" + statements.get(i), e);
      }
    }
    record(keyspace, migration);
  }

  /**
   * IF NOT EXISTS: if another process recorded the same version in the meantime, its record wins and
   * must match ours.
   */
  private void record(String keyspace, Migration migration) {
    ResultSet result = session.execute(SimpleStatement
        .newInstance("INSERT INTO " + keyspace + ".schema_migrations (version, name, checksum, applied_at) "
                + "VALUES (?, ?, ?, ?) IF NOT EXISTS",
            migration.version(), migration.name(), migration.checksum(), Instant.now())
        .setTimeout(QUERY_TIMEOUT));
    if (!result.wasApplied()) {
      Row existing = result.one();
      requireSame(keyspace, migration, existing == null ? null : existing.getString("name"),
          existing == null ? null : existing.getString("checksum"));
    }
  }

  /**
   * Runs {@code work} with the driver's schema metadata switched off, as pekko-persistence-cassandra
   * does for its own table creation: the driver otherwise refreshes its metadata after every DDL,
   * debounced by a 1 s window, which makes each CREATE TABLE take a second. Schema agreement between
   * nodes is still awaited. Afterwards the metadata is switched back on and refreshed.
   */
  private <T> T withoutSchemaMetadata(Supplier<T> work) {
    boolean wasEnabled = session.isSchemaMetadataEnabled();
    if (wasEnabled) {
      session.setSchemaMetadataEnabled(false);
    }
    try {
      return work.get();
    } finally {
      if (wasEnabled) {
        try {
          session.setSchemaMetadataEnabled(true).toCompletableFuture()
              .get(QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
          log.warn("Schema metadata refresh after a schema change failed; it will catch up later", e);
        }
      }
    }
  }

  private void ddl(String cql) {
    session.execute(SimpleStatement.newInstance(cql).setTimeout(DDL_TIMEOUT));
  }
}

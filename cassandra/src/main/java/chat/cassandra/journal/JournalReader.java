package chat.cassandra.journal;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.LongConsumer;

/**
 * Reads pekko-persistence-cassandra 1.1.0's tables with the same CQL shapes as the plugin, and finds events
 * the way its replay does: a persistence id's events are spread over partitions
 * ({@code partition_nr = (sequence_nr - 1) / target-partition-size}, or the next one when an atomic write
 * crossed the boundary), so reading walks partition after partition and stops after two that hold no rows
 * at all (one may be skipped by such an atomic write). Only reads, except {@link #insert}.
 */
public final class JournalReader {

  private static final String COLUMNS = "persistence_id, partition_nr, sequence_nr, timestamp, timebucket,"
      + " writer_uuid, ser_id, ser_manifest, event_manifest, event, meta_ser_id, meta_ser_manifest, meta, tags";

  /** A persistence id at a glance: how many events it stores, which seqs, and how far it was deleted. */
  public record IdSummary(String persistenceId, long events, long firstSeq, long lastSeq, long deletedTo) {}

  private final JournalSession session;
  private final Map<String, PreparedStatement> prepared = new HashMap<>();

  public JournalReader(JournalSession session) {
    this.session = session;
  }

  public JournalSession session() {
    return session;
  }

  private PreparedStatement prepare(String cql) {
    String qualified = cql.replace("${ks}", session.keyspace());
    return prepared.computeIfAbsent(qualified, q -> session.cql().prepare(q));
  }

  private ResultSet execute(String cql, Object... values) {
    BoundStatement bound = prepare(cql).bind(values);
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        bound = bound.unset(i); // as the plugin, which leaves absent columns out: no tombstones
      }
    }
    return session.cql().execute(bound);
  }

  private long partitionOf(long seq) {
    return (Math.max(seq, 1) - 1) / session.partitionSize();
  }

  /** The rows of {@code persistenceId} with {@code fromSeq <= sequence_nr <= toSeq}, in journal order. */
  public Iterator<JournalRow> rows(String persistenceId, long fromSeq, long toSeq) {
    return new PartitionWalk(persistenceId, Math.max(1, fromSeq), toSeq);
  }

  private final class PartitionWalk implements Iterator<JournalRow> {
    private final String persistenceId;
    private final long fromSeq;
    private final long toSeq;
    private long partition;
    private int emptyPartitions;
    private long lastSeq;
    private Iterator<Row> current = Collections.emptyIterator();
    private boolean done;

    PartitionWalk(String persistenceId, long fromSeq, long toSeq) {
      this.persistenceId = persistenceId;
      this.fromSeq = fromSeq;
      this.toSeq = toSeq;
      this.partition = partitionOf(fromSeq);
      this.done = fromSeq > toSeq;
    }

    @Override
    public boolean hasNext() {
      while (!current.hasNext()) {
        if (done || lastSeq >= toSeq) {
          return false;
        }
        current = execute("SELECT " + COLUMNS + " FROM ${ks}.messages WHERE persistence_id = ? AND partition_nr = ?"
            + " AND sequence_nr >= ? AND sequence_nr <= ?", persistenceId, partition, fromSeq, toSeq).iterator();
        if (current.hasNext() || partitionHasRows(persistenceId, partition)) {
          emptyPartitions = 0;
        } else if (++emptyPartitions >= 2) {
          done = true;
        }
        partition++;
      }
      return true;
    }

    @Override
    public JournalRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      JournalRow row = toRow(current.next());
      lastSeq = Math.max(lastSeq, row.sequenceNr());
      return row;
    }
  }

  private boolean partitionHasRows(String persistenceId, long partition) {
    return execute("SELECT sequence_nr FROM ${ks}.messages WHERE persistence_id = ? AND partition_nr = ? LIMIT 1",
        persistenceId, partition).one() != null;
  }

  static JournalRow toRow(Row row) {
    Set<String> tags = row.getSet("tags", String.class);
    return new JournalRow(
        row.getString("persistence_id"),
        row.getLong("partition_nr"),
        row.getLong("sequence_nr"),
        row.getUuid("timestamp"),
        row.getString("timebucket"),
        row.getString("writer_uuid"),
        row.getInt("ser_id"),
        row.getString("ser_manifest"),
        row.getString("event_manifest"),
        bytes(row.getByteBuffer("event")),
        row.isNull("meta_ser_id") ? null : row.getInt("meta_ser_id"),
        row.getString("meta_ser_manifest"),
        bytes(row.getByteBuffer("meta")),
        tags);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  /** The highest stored sequence number at or after {@code fromSeq}'s partition, 0 if none. */
  public long highestSeq(String persistenceId, long fromSeq) {
    long partition = partitionOf(fromSeq);
    long highest = 0;
    int empty = 0;
    while (empty < 2) {
      Row row = execute("SELECT sequence_nr FROM ${ks}.messages WHERE persistence_id = ? AND partition_nr = ?"
          + " ORDER BY sequence_nr DESC LIMIT 1", persistenceId, partition).one();
      if (row == null) {
        empty++;
      } else {
        empty = 0;
        highest = Math.max(highest, row.getLong("sequence_nr"));
      }
      partition++;
    }
    return highest;
  }

  /** {@code metadata.deleted_to}: events up to it were deleted (and are skipped by recovery); 0 if none. */
  public long deletedTo(String persistenceId) {
    Row row = execute("SELECT deleted_to FROM ${ks}.metadata WHERE persistence_id = ?", persistenceId).one();
    return row == null || row.isNull("deleted_to") ? 0 : row.getLong("deleted_to");
  }

  /** Whether anything is known of the id: registered, deleted up to somewhere, or with stored events. */
  public boolean exists(String persistenceId) {
    return execute("SELECT persistence_id FROM ${ks}.all_persistence_ids WHERE persistence_id = ?",
        persistenceId).one() != null
        || deletedTo(persistenceId) > 0
        || highestSeq(persistenceId, 1) > 0;
  }

  /** Counts what recovery would replay: the rows after {@code deleted_to}, partition by partition. */
  public IdSummary summary(String persistenceId) {
    long deletedTo = deletedTo(persistenceId);
    long partition = partitionOf(deletedTo + 1);
    long events = 0;
    long first = 0;
    long last = 0;
    int empty = 0;
    while (empty < 2) {
      Row row = execute("SELECT count(*) AS n, min(sequence_nr) AS lo, max(sequence_nr) AS hi FROM ${ks}.messages"
          + " WHERE persistence_id = ? AND partition_nr = ? AND sequence_nr > ?", persistenceId, partition, deletedTo)
          .one();
      long n = row == null ? 0 : row.getLong("n");
      if (n > 0) {
        empty = 0;
        events += n;
        first = first == 0 ? row.getLong("lo") : Math.min(first, row.getLong("lo"));
        last = Math.max(last, row.getLong("hi"));
      } else if (partitionHasRows(persistenceId, partition)) {
        empty = 0;
      } else {
        empty++;
      }
      partition++;
    }
    return new IdSummary(persistenceId, events, first, last, deletedTo);
  }

  /**
   * All persistence ids of {@code entityType} (all when null), sorted: from {@code all_persistence_ids}, the
   * plugin's own list, or with {@code scan} from the journal's partition keys (slower; finds ids that the list
   * misses). {@code progress} is told how many rows were read so far.
   */
  public SortedSet<String> persistenceIds(String entityType, boolean scan, LongConsumer progress) {
    String prefix = entityType == null ? null : entityType + EntityKind.SEPARATOR;
    SortedSet<String> ids = new TreeSet<>();
    ResultSet rs = scan
        ? execute("SELECT DISTINCT persistence_id, partition_nr FROM ${ks}.messages")
        : execute("SELECT persistence_id FROM ${ks}.all_persistence_ids");
    long read = 0;
    for (Row row : rs) {
      String id = row.getString("persistence_id");
      if (prefix == null || id.startsWith(prefix)) {
        ids.add(id);
      }
      if (++read % 1000 == 0) {
        progress.accept(read);
      }
    }
    return ids;
  }

  /** The id's snapshots, newest first (the table's order). */
  public List<SnapshotRow> snapshots(String persistenceId) {
    List<SnapshotRow> snapshots = new ArrayList<>();
    for (Row row : execute("SELECT persistence_id, sequence_nr, timestamp, ser_id, ser_manifest, snapshot_data"
        + " FROM ${ks}.snapshots WHERE persistence_id = ?", persistenceId)) {
      snapshots.add(new SnapshotRow(row.getString("persistence_id"), row.getLong("sequence_nr"),
          Instant.ofEpochMilli(row.getLong("timestamp")), row.getInt("ser_id"), row.getString("ser_manifest"),
          bytes(row.getByteBuffer("snapshot_data"))));
    }
    return snapshots;
  }

  /** The partition the plugin would write {@code seq} to, alone (not in an atomic write). */
  public long partitionFor(long seq) {
    return partitionOf(seq);
  }

  /** Writes one row as the plugin would; only {@code import --execute} calls this. */
  public void insert(JournalRow row) {
    execute("INSERT INTO ${ks}.messages (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        row.persistenceId(), row.partitionNr(), row.sequenceNr(), row.timestamp(), row.timebucket(),
        row.writerUuid(), row.serId(), row.serManifest(), row.eventManifest(), buffer(row.event()),
        row.metaSerId(), row.metaSerManifest(), buffer(row.meta()), row.tags());
  }

  /** Registers the id for the persistenceIds queries, as the plugin does with an id's first event. */
  public void registerPersistenceId(String persistenceId) {
    execute("INSERT INTO ${ks}.all_persistence_ids (persistence_id) VALUES (?)", persistenceId);
  }

  private static ByteBuffer buffer(byte[] bytes) {
    return bytes == null ? null : ByteBuffer.wrap(bytes);
  }
}

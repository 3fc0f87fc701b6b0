package chat.cassandra.journal;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * One row of pekko-persistence-cassandra's {@code messages} table, as stored: the serialized event with the
 * serializer id and manifest needed to decode it. Byte arrays are shared, never modified.
 *
 * @param partitionNr the plugin's partition: {@code (sequenceNr - 1) / target-partition-size}, or one more
 *                    when an atomic write crossed a partition boundary
 * @param timestamp   time-based UUID taken by the writer when it wrote the event: the event's journal time
 * @param writerUuid  identifies one incarnation of the writing entity; it changes with every restart
 * @param metaSerId   null when the event has no metadata (the chat never writes any)
 */
public record JournalRow(
    String persistenceId,
    long partitionNr,
    long sequenceNr,
    UUID timestamp,
    String timebucket,
    String writerUuid,
    int serId,
    String serManifest,
    String eventManifest,
    byte[] event,
    Integer metaSerId,
    String metaSerManifest,
    byte[] meta,
    Set<String> tags) {

  public JournalRow {
    tags = tags == null ? Set.of() : Set.copyOf(tags);
    eventManifest = eventManifest == null ? "" : eventManifest;
  }

  /** When the event was written (millisecond precision of the time-based UUID). */
  public Instant writtenAt() {
    return Instant.ofEpochMilli(Uuids.unixTimestamp(timestamp));
  }
}

package chat.node.push;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.TimeBasedUUID;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * Where each push tag's projection resumes: the offset of the last message whose push requests Kafka
 * acknowledged, in the keyspace's push_offsets table (migration 003).
 */
final class PushOffsets {

  private final CassandraSession session;
  private final CassandraReadJournal journal;
  private final String select;
  private final String upsert;
  private final Duration initialLookback;

  PushOffsets(CassandraSession session, CassandraReadJournal journal, String keyspace, Duration initialLookback) {
    this.session = session;
    this.journal = journal;
    this.select = "SELECT offset FROM " + keyspace + ".push_offsets WHERE tag = ?";
    this.upsert = "INSERT INTO " + keyspace + ".push_offsets (tag, offset, event_at, updated_at) VALUES (?, ?, ?, ?)";
    this.initialLookback = initialLookback;
  }

  /** The stored offset, or (first start) the time {@code initial-lookback} ago. */
  CompletionStage<Offset> load(String tag, long nowMillis) {
    return session.selectOne(select, tag).thenApply(row -> row
        .map(r -> r.getUuid("offset"))
        .<Offset>map(Offset::timeBasedUUID)
        .orElseGet(() -> journal.timeBasedUUIDFrom(nowMillis - initialLookback.toMillis())));
  }

  CompletionStage<Done> store(String tag, Offset offset, long eventAt) {
    UUID uuid = ((TimeBasedUUID) offset).value();
    return session.executeWrite(upsert, tag, uuid, Instant.ofEpochMilli(eventAt), Instant.now());
  }
}

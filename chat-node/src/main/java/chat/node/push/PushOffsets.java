package chat.node.push;

import static chat.node.concurrent.Continuations.inline;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.TimeBasedUUID;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each push tag's projection resumes: the offset of the last message whose push requests Kafka
 * acknowledged, in the keyspace's push_offsets table (migration 003), read and written at LOCAL_QUORUM so
 * that an instance restarted on another node sees what the last one stored.
 */
final class PushOffsets {

  private static final Logger log = LoggerFactory.getLogger(PushOffsets.class);

  private final CassandraSession session;
  private final CassandraReadJournal journal;
  private final String select;
  private final String upsert;
  private final Duration initialLookback;
  private final Duration rewind;

  PushOffsets(CassandraSession session, CassandraReadJournal journal, String keyspace, Duration initialLookback,
      Duration rewind) {
    this.session = session;
    this.journal = journal;
    this.select = "SELECT offset FROM " + keyspace + ".push_offsets WHERE tag = ?";
    this.upsert = "INSERT INTO " + keyspace + ".push_offsets (tag, offset, event_at, updated_at) VALUES (?, ?, ?, ?)";
    this.initialLookback = initialLookback;
    this.rewind = rewind;
  }

  /**
   * Where to read from: {@code rewind} before the stored offset (a message whose tag write came late may
   * sort before it), or, on the tag's first start, {@code initial-lookback} before now.
   */
  CompletionStage<Offset> load(String tag, long nowMillis) {
    return inline(session.selectOne(quorum(SimpleStatement.newInstance(select, tag)))).thenApply(row -> {
      if (row.isPresent() && row.get().getUuid("offset") != null) {
        long stored = journal.timestampFrom((TimeBasedUUID) Offset.timeBasedUUID(row.get().getUuid("offset")));
        return journal.timeBasedUUIDFrom(stored - rewind.toMillis());
      }
      log.info("push tag {} has no stored offset: reading from {} ago", tag, initialLookback);
      return journal.timeBasedUUIDFrom(nowMillis - initialLookback.toMillis());
    });
  }

  CompletionStage<Done> store(String tag, Offset offset, long eventAt) {
    UUID uuid = ((TimeBasedUUID) offset).value();
    return session.executeWrite(quorum(SimpleStatement.newInstance(upsert, tag, uuid, Instant.ofEpochMilli(eventAt),
        Instant.now())));
  }

  private static SimpleStatement quorum(SimpleStatement statement) {
    return statement.setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM);
  }
}

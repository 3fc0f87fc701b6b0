package chat.node.room;

import static chat.node.concurrent.Continuations.inline;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.NotUsed;

/**
 * Reads a room's timeline back from its journal. The journal is the only copy: a seq is a journal
 * sequence number, so a page is a range read of one partition, with no index to keep consistent.
 */
public final class RoomTimeline {

  private final ActorSystem<?> system;
  private final CurrentEventsByPersistenceIdQuery journal;

  public RoomTimeline(ActorSystem<?> system, String readJournalPluginId) {
    this.system = system;
    this.journal = PersistenceQuery.get(system)
        .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, readJournalPluginId);
  }

  /** Entries {@code from..to} in seq order, as a stream that reads the journal page by page on demand. */
  public Source<ChatRoom.TimelineEntry, NotUsed> stream(String roomId, long from, long to) {
    return journal
        .currentEventsByPersistenceId(ChatRoom.persistenceId(roomId).id(), from, to)
        .map(envelope -> new ChatRoom.TimelineEntry(roomId, envelope.sequenceNr(), (ChatRoom.Event) envelope.event()))
        .mapMaterializedValue(ignored -> NotUsed.getInstance());
  }

  /** Entries {@code range.from()..range.to()} in seq order. Call only after the room authorised the read. */
  public CompletionStage<List<ChatRoom.TimelineEntry>> read(String roomId, TimelineRange range) {
    if (range.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    return inline(stream(roomId, range.from(), range.to()).runWith(Sink.seq(), system));
  }
}

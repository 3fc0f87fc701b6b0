package chat.node.user;

import chat.node.concurrent.Continuations;
import chat.node.room.ChatRoom;
import chat.node.room.RoomTimeline;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Recounts unread messages by reading the room's journal. Reads at most the newest
 * {@link #MAX_ITEMS} items of the range, so a huge backlog yields a lower bound rather than a long scan.
 */
public final class JournalUnreadCounter implements UnreadCounter {

  static final long MAX_ITEMS = 10_000;

  private final ActorSystem<?> system;
  private final RoomTimeline timeline;

  public JournalUnreadCounter(ActorSystem<?> system, RoomTimeline timeline) {
    this.system = system;
    this.timeline = timeline;
  }

  @Override
  public CompletionStage<Long> count(String roomId, String userId, long afterSeq, long upToSeq) {
    long from = Math.max(afterSeq + 1, upToSeq - MAX_ITEMS + 1);
    return Continuations.inline(timeline.stream(roomId, from, upToSeq)
        .filter(entry -> entry.event() instanceof ChatRoom.MessagePosted m && !m.sender().equals(userId))
        .runWith(Sink.fold(0L, (n, entry) -> n + 1), system));
  }
}

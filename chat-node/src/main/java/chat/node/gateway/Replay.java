package chat.node.gateway;

import static chat.node.concurrent.Continuations.inline;

import chat.node.room.ChatRoom;
import chat.node.room.RoomTimeline;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Reads back from the journal what a connection must catch up on, room after room, as a stream that the
 * connection consumes at the pace its client reads. Each room ends with {@link RoomDone} (or
 * {@link Skipped} when the user may no longer read it); a room with more missed items than
 * {@code maxItemsPerRoom} first reports the older part as a {@link Gap}.
 */
final class Replay {

  sealed interface Element {}

  record Item(ChatRoom.TimelineEntry entry) implements Element {}

  record Gap(String roomId, long from, long to) implements Element {}

  /** {@code baseline}: the room was only looked at for where it ends (a new device), nothing was sent. */
  record RoomDone(String roomId, long lastSeq, boolean baseline) implements Element {}

  record Skipped(String roomId) implements Element {}

  /** Catch up {@code roomId} from {@code fromSeq}; {@code fromSeq} null means only find where it ends. */
  record Start(String roomId, Long fromSeq) {}

  private static final int PARALLEL_AUTHORIZATIONS = 4;

  private final ClusterSharding sharding;
  private final RoomTimeline timeline;
  private final Duration askTimeout;
  private final int maxItemsPerRoom;

  Replay(ClusterSharding sharding, RoomTimeline timeline, Duration askTimeout, int maxItemsPerRoom) {
    this.sharding = sharding;
    this.timeline = timeline;
    this.askTimeout = askTimeout;
    this.maxItemsPerRoom = maxItemsPerRoom;
  }

  Source<Element, NotUsed> source(String userId, List<Start> starts) {
    return Source.from(starts)
        .mapAsync(PARALLEL_AUTHORIZATIONS, start -> authorize(userId, start.roomId())
            .thenApply(reply -> new Authorized(start, reply)))
        .flatMapConcat(this::room);
  }

  private record Authorized(Start start, ChatRoom.ReadReply reply) {}

  private CompletionStage<ChatRoom.ReadReply> authorize(String userId, String roomId) {
    return inline(sharding.entityRefFor(ChatRoom.ENTITY_KEY, roomId)
        .ask(replyTo -> new ChatRoom.AuthorizeRead(userId, replyTo), askTimeout));
  }

  private Source<Element, NotUsed> room(Authorized authorized) {
    String roomId = authorized.start().roomId();
    if (!(authorized.reply() instanceof ChatRoom.ReadAllowed allowed)) {
      return Source.single(new Skipped(roomId));
    }
    long last = allowed.lastSeq();
    Long from = authorized.start().fromSeq();
    if (from == null || from > last) {
      return Source.single(new RoomDone(roomId, last, from == null));
    }
    long replayFrom = Math.max(from, last - maxItemsPerRoom + 1);
    Source<Element, NotUsed> gap = replayFrom > from
        ? Source.single(new Gap(roomId, from, replayFrom - 1))
        : Source.empty();
    return gap
        .concat(timeline.stream(roomId, replayFrom, last).map(Item::new))
        .concat(Source.single(new RoomDone(roomId, last, false)));
  }
}

package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.TestNode;
import chat.protocol.AckResult;
import chat.protocol.ErrorCode;
import chat.protocol.RoomSummary;
import chat.protocol.TimelineItem;
import chat.protocol.client.ChatClient;
import chat.protocol.client.ChatErrorException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a node wrote to Cassandra is what the next node on the same keyspace serves. */
@ExtendWith({CassandraExtension.class, LogCapturingExtension.class})
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RestartIT {

  @Test
  void historySeqsDedupAndRoomIndexSurviveARestart(TestCassandra cassandra) {
    String roomId;
    AckResult.Sent second;
    try (TestNode first = TestNode.start(cassandra); ChatClient alice = first.login("alice")) {
      roomId = alice.openDm("bob").orTimeout(15, TimeUnit.SECONDS).join().room().roomId();
      alice.send(roomId, "a-1", "one").orTimeout(15, TimeUnit.SECONDS).join();
      second = alice.send(roomId, "a-2", "two").orTimeout(15, TimeUnit.SECONDS).join();
      alice.send(roomId, "a-3", "three").orTimeout(15, TimeUnit.SECONDS).join();
    }

    try (TestNode restarted = TestNode.start(cassandra); ChatClient alice = restarted.login("alice");
         ChatClient bob = restarted.login("bob"); ChatClient mallory = restarted.login("mallory")) {
      var history = alice.history(roomId, null, null, 50).orTimeout(15, TimeUnit.SECONDS).join();
      assertEquals(4, history.lastSeq());
      assertEquals(LongStream.rangeClosed(1, 4).boxed().toList(), history.items().stream().map(TimelineItem::seq).toList());
      assertEquals(List.of("one", "two", "three"), history.items().stream()
          .filter(TimelineItem.Message.class::isInstance).map(i -> ((TimelineItem.Message) i).body()).toList());

      // a retry of an acknowledged send gets its original seq, from the recovered room
      var retry = alice.send(roomId, "a-2", "two").orTimeout(15, TimeUnit.SECONDS).join();
      assertTrue(retry.duplicate());
      assertEquals(second.seq(), retry.seq());
      assertEquals(second.ts(), retry.ts());

      // seq continues without a gap
      var next = bob.send(roomId, "b-1", "back").orTimeout(15, TimeUnit.SECONDS).join();
      assertFalse(next.duplicate());
      assertEquals(5, next.seq());

      assertEquals(List.of(roomId), bob.listRooms().orTimeout(15, TimeUnit.SECONDS).join().rooms().stream()
          .map(RoomSummary::roomId).toList());

      try {
        mallory.history(roomId, null, null, 10).orTimeout(15, TimeUnit.SECONDS).join();
        throw new AssertionError("a non-member read the history");
      } catch (CompletionException e) {
        assertEquals(ErrorCode.NOT_MEMBER, assertInstanceOf(ChatErrorException.class, e.getCause()).code());
      }
    }
  }
}

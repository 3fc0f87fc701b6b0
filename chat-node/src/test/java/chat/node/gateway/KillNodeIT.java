package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.NodeProcess;
import chat.protocol.AckResult;
import chat.protocol.TimelineItem;
import chat.protocol.client.ChatClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of a node process while it takes sends: every acknowledged message is there after a restart. */
@ExtendWith(CassandraExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class KillNodeIT {

  @Test
  void acknowledgedMessagesSurviveKillMinusNine(TestCassandra cassandra, @TempDir Path dir) throws Exception {
    Path log = dir.resolve("node.log");
    String roomId;
    Map<String, Long> acked = new HashMap<>();
    NodeProcess first = NodeProcess.start(cassandra, log);
    try (ChatClient alice = first.login("alice")) {
      roomId = alice.createRoom("killed", "Killed", List.of("bob"), null).orTimeout(20, TimeUnit.SECONDS).join().room().roomId();
      // 50 acknowledged sends, then 150 more still in flight when the node dies
      List<CompletableFuture<AckResult.Sent>> sends = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        sends.add(alice.send(roomId, "k-" + i, "before the kill " + i));
        if (i == 49) {
          sends.get(i).orTimeout(20, TimeUnit.SECONDS).join();
        }
      }
      first.kill();
      for (int i = 0; i < sends.size(); i++) {
        try {
          acked.put("k-" + i, sends.get(i).get(20, TimeUnit.SECONDS).seq());
        } catch (Exception lostWithTheNode) {
          // unacknowledged: the outcome is unknown, the client retries below
        }
      }
    } finally {
      first.close();
    }
    assertTrue(acked.size() >= 50, "the first 50 sends were acknowledged before the kill");
    System.out.println("acknowledged before the kill: " + acked.size() + " of 200");

    try (NodeProcess second = NodeProcess.start(cassandra, log); ChatClient alice = second.login("alice")) {
      // the client retries everything it has no ack for; the room deduplicates what it already stored
      for (int i = 0; i < 200; i++) {
        alice.send(roomId, "k-" + i, "before the kill " + i).orTimeout(20, TimeUnit.SECONDS).join();
      }
      List<TimelineItem> items = new ArrayList<>();
      AckResult.HistoryPage page;
      long after = 0;
      do {
        page = alice.history(roomId, null, after, 200).orTimeout(20, TimeUnit.SECONDS).join();
        items.addAll(page.items());
        after = items.get(items.size() - 1).seq();
      } while (page.hasMore());

      // the timeline is gap-free, holds each clientMsgId exactly once, and every acknowledged send is at
      // the seq its ack named
      assertEquals(LongStream.rangeClosed(1, 201).boxed().toList(), items.stream().map(TimelineItem::seq).toList());
      Map<String, Long> stored = new HashMap<>();
      items.stream().filter(TimelineItem.Message.class::isInstance).map(TimelineItem.Message.class::cast)
          .forEach(m -> assertEquals(null, stored.put(m.clientMsgId(), m.seq()), "stored twice: " + m.clientMsgId()));
      assertEquals(200, stored.size());
      acked.forEach((clientMsgId, seq) -> assertEquals(seq, stored.get(clientMsgId), clientMsgId));
    }
  }
}

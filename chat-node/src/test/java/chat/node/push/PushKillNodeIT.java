package chat.node.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.kafka.testkit.KafkaExtension;
import chat.kafka.testkit.TestKafka;
import chat.node.testing.NodeProcess;
import chat.node.testing.PushRecords;
import chat.protocol.AckResult;
import chat.protocol.TimelineItem;
import chat.protocol.client.ChatClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of the node that produces push requests, mid-stream: after a restart, none is missing. */
@ExtendWith({CassandraExtension.class, KafkaExtension.class})
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PushKillNodeIT {

  @Test
  void noPushRequestIsLostWhenTheProducingNodeIsKilled(TestCassandra cassandra, TestKafka kafka, @TempDir Path dir)
      throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String alice = "alice-" + suffix;
    String bob = "bob-" + suffix;
    List<String> push = List.of(
        "-Dchat.push.enabled=on",
        "-Dchat.push.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
        "-Dchat.push.ack-window=1s",
        "-Dchat.push.batch-window=100ms",
        "-Dchat.push.restart.max-backoff=3s");
    Path log = dir.resolve("node.log");
    String roomId;
    int acknowledged = 0;
    int producedBeforeKill = 0;
    NodeProcess first = NodeProcess.start(cassandra, log, push);
    try (ChatClient aliceClient = first.login(alice)) {
      roomId = aliceClient.createRoom("push-kill-" + suffix, "Kill", List.of(bob), null)
          .orTimeout(20, TimeUnit.SECONDS).join().room().roomId();
      // a steady stream; the node dies once the projection has produced some of it and while it has more
      List<CompletableFuture<AckResult.Sent>> sends = new ArrayList<>();
      try (PushRecords early = new PushRecords(kafka.bootstrapServers(), Set.of(bob))) {
        for (int i = 0; i < 150; i++) {
          sends.add(aliceClient.send(roomId, "p-" + i, "to bob " + i));
          Thread.sleep(20);
          if (i == 74) {
            producedBeforeKill = early.awaitUntil(got -> !got.isEmpty(), Duration.ofSeconds(30)).size();
          }
        }
      }
      first.kill();
      for (CompletableFuture<AckResult.Sent> send : sends) {
        try {
          send.get(20, TimeUnit.SECONDS);
          acknowledged++;
        } catch (Exception lostWithTheNode) {
          // its outcome is unknown; whatever the journal holds is checked below
        }
      }
    } finally {
      first.close();
    }
    assertTrue(acknowledged >= 75, "most sends were acknowledged before the kill: " + acknowledged);
    assertTrue(producedBeforeKill > 0, "the node was producing push requests when it died");

    try (NodeProcess second = NodeProcess.start(cassandra, log, push);
         ChatClient aliceClient = second.login(alice);
         PushRecords records = new PushRecords(kafka.bootstrapServers(), Set.of(bob))) {
      Set<Long> stored = new TreeSet<>();
      long after = 0;
      AckResult.HistoryPage page;
      do {
        page = aliceClient.history(roomId, null, after, 200).orTimeout(20, TimeUnit.SECONDS).join();
        for (TimelineItem item : page.items()) {
          if (item instanceof TimelineItem.Message) {
            stored.add(item.seq());
          }
          after = item.seq();
        }
      } while (page.hasMore());
      assertTrue(stored.size() >= acknowledged);

      var requests = records.awaitUntil(got -> PushRecords.seqsOf(got, bob, roomId).equals(stored), Duration.ofSeconds(90));
      assertEquals(stored, PushRecords.seqsOf(requests, bob, roomId));
      System.out.println("push requests for " + stored.size() + " stored messages (" + producedBeforeKill
          + " seen before the kill), " + requests.size() + " records in all (repeats after the kill included)");
    }
  }
}

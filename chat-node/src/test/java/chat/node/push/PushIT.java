package chat.node.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.kafka.testkit.KafkaExtension;
import chat.kafka.testkit.TestKafka;
import chat.node.testing.Await;
import chat.node.testing.GrafanaDashboard;
import chat.node.testing.Device;
import chat.node.testing.PushRecords;
import chat.node.testing.Scrape;
import chat.node.testing.TestNode;
import chat.protocol.AckResult;
import chat.protocol.PushPlatform;
import chat.protocol.ServerFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Push requests on a real Kafka, decided from real delivery state, with the journal in a real Cassandra. */
@ExtendWith({CassandraExtension.class, KafkaExtension.class})
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PushIT {

  private static final Duration ACK_WINDOW = Duration.ofSeconds(2);

  static Map<String, Object> pushOn(TestKafka kafka) {
    return Map.of(
        "chat.push.enabled", true,
        "chat.push.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "chat.push.ack-window", ACK_WINDOW.toMillis() + "ms",
        "chat.push.batch-window", "100ms",
        "chat.push.restart.max-backoff", "3s");
  }

  private static String unique(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 6);
  }

  @Test
  void offlineMembersGetOnePushPerMessageAndThoseWhoReceivedOrReadItNone(TestCassandra cassandra, TestKafka kafka)
      throws Exception {
    String alice = unique("alice");
    String bob = unique("bob");      // offline, a phone registered earlier
    String carol = unique("carol");  // online; her device acknowledges what it receives
    String dave = unique("dave");    // reads everything on his tablet, which never acknowledges receipt
    String erin = unique("erin");    // connected, but her device never acknowledges: pushed all the same
    int messages = 12;
    try (TestNode node = TestNode.start(cassandra, pushOn(kafka));
         PushRecords records = new PushRecords(kafka.bootstrapServers(), Set.of(alice, bob, carol, dave, erin))) {
      try (Device bobPhone = Device.connect(node, bob, "bob-phone")) {
        Await.result(bobPhone.client().registerPush(PushPlatform.FCM, "fcm-token-of-bob"));
      }
      Device carolLaptop = Device.connect(node, carol, "carol-laptop");
      Device daveTablet = Device.connect(node, dave, "dave-tablet");
      Device erinLaptop = Device.connect(node, erin, "erin-laptop");
      Device aliceLaptop = Device.connect(node, alice, "alice-laptop");
      String roomId = Await.result(aliceLaptop.client().createRoom(unique("team"), "Team",
          List.of(bob, carol, dave, erin), null)).room().roomId();

      List<Long> sent = new ArrayList<>();
      for (int i = 0; i < messages; i++) {
        AckResult.Sent ack = Await.result(aliceLaptop.client().send(roomId, "m-" + i, "message " + i));
        sent.add(ack.seq());
        carolLaptop.awaitSeq(roomId, ack.seq(), Duration.ofSeconds(10));
        carolLaptop.acknowledge(roomId, ack.seq());
        daveTablet.awaitSeq(roomId, ack.seq(), Duration.ofSeconds(10));
        Await.result(daveTablet.client().read(roomId, ack.seq()));
      }

      Set<Long> expected = new TreeSet<>(sent);
      List<PushRequest> requests = records.awaitUntil(
          got -> PushRecords.seqsOf(got, bob, roomId).equals(expected) && PushRecords.seqsOf(got, erin, roomId).equals(expected),
          Duration.ofSeconds(60));
      // whatever was still on its way has had its window and more
      requests = records.drainFor(ACK_WINDOW.plusSeconds(4));

      assertEquals(expected, PushRecords.seqsOf(requests, bob, roomId));
      assertEquals(Set.of(), PushRecords.seqsOf(requests, carol, roomId), "carol's device acknowledged every message");
      assertEquals(Set.of(), PushRecords.seqsOf(requests, dave, roomId), "dave read every message on another device");
      assertEquals(Set.of(), PushRecords.seqsOf(requests, alice, roomId), "nobody is pushed about their own message");
      assertEquals(expected, PushRecords.seqsOf(requests, erin, roomId));
      Map<String, Long> perKey = requests.stream().collect(Collectors.groupingBy(PushRequest::dedupKey, Collectors.counting()));
      assertEquals(2L * messages, perKey.size(), "one dedup key per message and recipient");

      PushRequest first = requests.stream().filter(r -> r.user().equals(bob) && r.seq() == sent.get(0)).findFirst().orElseThrow();
      assertEquals(List.of(new PushRequest.PushDevice("bob-phone", "fcm", "fcm-token-of-bob")), first.devices());
      assertEquals("message 0", first.preview());
      assertEquals("Team", first.roomName());
      assertEquals(alice, first.sender());
      assertTrue(first.badge() >= 1 && first.unread() >= 1);
      assertEquals(List.of(), erinLaptop.frames().stream().filter(ServerFrame.Error.class::isInstance).toList());

      // the journal-to-Kafka hop is timed once per acknowledged request, and always includes the ack window
      Await.until(() -> {
        Map<String, Double> m = Scrape.samples(node.metricsUri());
        return m.get("chat_push_produce_lag_seconds_count").equals(m.get("chat_push_requests_produced_total"));
      });
      Map<String, Double> metrics = Scrape.samples(node.metricsUri());
      double produced = metrics.get("chat_push_requests_produced_total");
      assertTrue(produced >= 2.0 * messages, "at least this test's requests: " + produced);
      assertTrue(metrics.get("chat_push_produce_lag_seconds_sum") / produced >= ACK_WINDOW.toSeconds(),
          "a request waits out the ack window before it is produced");
      assertTrue(metrics.entrySet().stream().anyMatch(e -> e.getKey().startsWith("kafka_producer_record_send_total")
          && e.getValue() >= produced), "the Kafka producer's own metrics are bound: " + metrics.keySet().stream()
          .filter(k -> k.startsWith("kafka_producer_record")).toList());
      for (String family : GrafanaDashboard.metricNames()) {
        if (family.startsWith("chat_push_") || family.startsWith("kafka_")) {
          assertTrue(metrics.keySet().stream().anyMatch(k -> k.equals(family) || k.startsWith(family + "{")
              || k.startsWith(family + "_")), "the dashboard's " + family + " is exposed");
        }
      }
      for (Device d : List.of(carolLaptop, daveTablet, erinLaptop, aliceLaptop)) {
        d.close();
      }
    }
  }

  @Test
  void aMemberAddedLaterIsPushedOnlyAboutWhatCameAfterAndLongMessagesOnlyAsAPreview(
      TestCassandra cassandra, TestKafka kafka) throws Exception {
    String alice = unique("alice");
    String frank = unique("frank");
    try (TestNode node = TestNode.start(cassandra, pushOn(kafka));
         Device aliceLaptop = Device.connect(node, alice, "alice-laptop");
         PushRecords records = new PushRecords(kafka.bootstrapServers(), Set.of(frank))) {
      String roomId = Await.result(aliceLaptop.client().createRoom(unique("late"), "Late", List.of(), null)).room().roomId();
      for (int i = 0; i < 3; i++) {
        Await.result(aliceLaptop.client().send(roomId, "before-" + i, "before frank " + i));
      }
      Await.result(aliceLaptop.client().addMember(roomId, frank));
      Set<Long> after = new TreeSet<>();
      String longBody = "ü".repeat(8_000); // 16,000 bytes of UTF-8, just under the limit
      for (int i = 0; i < 40; i++) {
        after.add(Await.result(aliceLaptop.client().send(roomId, "after-" + i, longBody)).seq());
      }
      List<PushRequest> requests = records.awaitUntil(got -> PushRecords.seqsOf(got, frank, roomId).equals(after),
          Duration.ofSeconds(60));
      requests = records.drainFor(ACK_WINDOW.plusSeconds(3));
      assertEquals(after, PushRecords.seqsOf(requests, frank, roomId), "nothing from before frank was added");
      assertTrue(requests.stream().allMatch(r -> r.preview().length() == PushRequest.PREVIEW_MAX_CHARS + 1));
    }
  }

  @Test
  void withKafkaDownChatGoesOnAndEveryPushIsProducedWhenItReturns(TestCassandra cassandra, TestKafka kafka)
      throws Exception {
    String alice = unique("alice");
    String bob = unique("bob");
    String carol = unique("carol");
    int messages = 30;
    try (TestNode node = TestNode.start(cassandra, pushOn(kafka));
         Device aliceLaptop = Device.connect(node, alice, "alice-laptop");
         Device carolLaptop = Device.connect(node, carol, "carol-laptop")) {
      String roomId = Await.result(aliceLaptop.client().createRoom(unique("outage"), "Outage", List.of(bob, carol), null))
          .room().roomId();
      List<Long> sent = new ArrayList<>();
      kafka.stop();
      try {
        for (int i = 0; i < messages; i++) {
          sent.add(Await.result(aliceLaptop.client().send(roomId, "o-" + i, "while Kafka is down " + i)).seq());
          Thread.sleep(100);
        }
        // chat went on: every send was acknowledged, and a live member received everything in order
        carolLaptop.awaitSeq(roomId, sent.get(messages - 1), Duration.ofSeconds(10));
        List<Long> carolSeqs = carolLaptop.seqs(roomId).stream().filter(sent::contains).toList();
        assertEquals(sent, carolSeqs);
        Thread.sleep(ACK_WINDOW.toMillis() + 3_000); // the projection has tried and failed meanwhile
        // the backlog shows on the metrics endpoint: messages wait, the oldest for longer than the window
        Map<String, Double> stalled = Scrape.samples(node.metricsUri());
        assertTrue(stalled.get("chat_push_backlog_messages") >= 1, "waiting: " + stalled.get("chat_push_backlog_messages"));
        assertTrue(stalled.get("chat_push_backlog_oldest_seconds") > ACK_WINDOW.toSeconds(),
            "oldest: " + stalled.get("chat_push_backlog_oldest_seconds"));
      } finally {
        kafka.start();
      }
      try (PushRecords records = new PushRecords(kafka.bootstrapServers(), Set.of(bob))) {
        Set<Long> expected = new TreeSet<>(sent);
        List<PushRequest> requests = records.awaitUntil(got -> PushRecords.seqsOf(got, bob, roomId).equals(expected),
            Duration.ofSeconds(90));
        assertEquals(expected, PushRecords.seqsOf(requests, bob, roomId));
      }
      // and drains once Kafka is back
      Await.until(() -> Scrape.samples(node.metricsUri()).get("chat_push_backlog_messages") == 0.0, Duration.ofSeconds(30));
    }
  }
}

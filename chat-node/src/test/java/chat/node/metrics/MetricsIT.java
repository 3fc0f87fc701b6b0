package chat.node.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.Await;
import chat.node.testing.GrafanaDashboard;
import chat.node.testing.Scrape;
import chat.node.testing.TestNode;
import chat.protocol.TimelineItem;
import chat.protocol.client.ChatClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The metrics endpoint after real traffic: counters and histograms move by what was done, and no label names a user or room. */
@ExtendWith(CassandraExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsIT {

  @Test
  void sendsMoveTheCountersAndTheHistogramsByExactlyWhatWasDone(TestCassandra cassandra) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String alice = "metrics-alice-" + suffix;
    String bob = "metrics-bob-" + suffix;
    String mallory = "metrics-mallory-" + suffix;
    try (TestNode node = TestNode.start(cassandra, Map.of(
        "chat.gateway.rate-limits.typing.per-second", 0.1, "chat.gateway.rate-limits.typing.burst", 5))) {
      Map<String, Double> before = scrape(node.metricsUri());
      String roomId;
      int typingRefused = 0;
      try (ChatClient a = node.login(alice); ChatClient b = node.connect(); ChatClient m = node.login(mallory)) {
        Await.result(b.hello(node.token(bob), "phone"));
        roomId = Await.result(a.createRoom("metrics-" + suffix, "Metrics", List.of(bob), null)).room().roomId();
        for (int i = 0; i < 25; i++) {
          Await.result(a.send(roomId, "m-" + i, "hello " + i));
        }
        Await.result(a.send(roomId, "m-0", "hello 0")); // a retry: answered as a duplicate
        for (int i = 0; i < 3; i++) {
          assertTrue(m.send(roomId, "x-" + i, "not a member").handle((ok, e) -> e != null).get(20, TimeUnit.SECONDS));
        }
        // the typing bucket holds 5: some of these 10 are refused, and each refusal is counted once
        for (int i = 0; i < 10; i++) {
          typingRefused += a.typing(roomId, true).handle((ok, e) -> e != null ? 1 : 0).get(20, TimeUnit.SECONDS);
        }
        assertTrue(typingRefused > 0, "the typing limit was reached");
        // both members' connections see all 25 messages live
        Await.frames(b, TimelineItem.Message.class, 25);
        Map<String, Double> during = scrape(node.metricsUri());
        assertEquals(3.0, during.get("chat_connections_open") - before.get("chat_connections_open"));
        assertEquals(3.0, during.get("chat_connections_authenticated") - before.get("chat_connections_authenticated"));
        // their sessions joined the node's directory through real sharding: rooms here tell them directly
        assertEquals(3.0, during.get("chat_sessions_local") - before.get("chat_sessions_local"));
      }
      Await.until(() -> delta(before, scrape(node.metricsUri()), "chat_connections_closed_total{initiator=\"client\"}") == 3.0);
      Map<String, Double> after = scrape(node.metricsUri());
      assertEquals(25.0, delta(before, after, "chat_messages_accepted_total"));
      assertEquals(1.0, delta(before, after, "chat_messages_duplicate_total"));
      assertEquals(3.0, delta(before, after, "chat_messages_rejected_total{reason=\"not_member\"}"));
      assertEquals(26.0, delta(before, after, "chat_send_ack_seconds_count"));
      assertEquals(26.0, delta(before, after, "chat_send_ack_seconds_bucket{le=\"+Inf\"}"));
      assertTrue(delta(before, after, "chat_send_ack_seconds_sum") > 0);
      // the room's journal writes: its creation and the 25 messages (the retry and the refusals write nothing)
      assertEquals(26.0, delta(before, after, "chat_persist_seconds_count"));
      assertEquals(26.0, delta(before, after, "chat_persist_seconds_bucket{le=\"+Inf\"}"));
      // every send the room took up is timed in its queue: the 25, the retry and mallory's 3 (the room refuses them)
      assertEquals(29.0, delta(before, after, "chat_room_queue_seconds_count"));
      // fan-out: 25 messages, each queued on alice's and bob's connections
      assertEquals(50.0, delta(before, after, "chat_delivery_seconds_count"));
      assertEquals(50.0, delta(before, after, "chat_frames_sent_total{type=\"message\"}"));
      assertEquals(29.0, delta(before, after, "chat_frames_received_total{type=\"send\"}"));
      assertEquals(3.0, delta(before, after, "chat_frames_received_total{type=\"hello\"}"));
      assertEquals(10.0, delta(before, after, "chat_frames_received_total{type=\"typing\"}"));
      assertEquals(3.0, delta(before, after, "chat_errors_total{code=\"not_member\"}"));
      assertEquals(typingRefused, delta(before, after, "chat_rate_limited_total{limit=\"typing\"}"));
      assertEquals(typingRefused, delta(before, after, "chat_errors_total{code=\"too_many_requests\"}"));
      assertEquals(3.0 + typingRefused, delta(before, after, "chat_frames_sent_total{type=\"error\"}"));
      assertEquals(3.0, delta(before, after, "chat_connections_opened_total"));
      assertEquals(0.0, delta(before, after, "chat_connections_authenticated"));
      assertEquals(0.0, delta(before, after, "chat_connections_closed_total{initiator=\"server\"}"));
      assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")), "JVM basics are there");
      assertTrue(delta(before, after, "cassandra_session_cql_requests_seconds_count{session=\"journal\"}") >= 26, "the driver's requests are timed");

      // bob's phone reconnects and catches up on the room (it acknowledged nothing): one replay, of at least the 25 messages
      try (ChatClient b = node.connect()) {
        Await.result(b.hello(node.token(bob), "phone"));
        Await.until(() -> delta(after, scrape(node.metricsUri()), "chat_resume_seconds_count") == 1.0);
      }
      Map<String, Double> resumed = scrape(node.metricsUri());
      assertEquals(1.0, delta(after, resumed, "chat_resume_messages_count"));
      assertTrue(delta(after, resumed, "chat_resume_messages_sum") >= 25);

      // the cluster as seen from this one node, and the shards it hosts (polled every 10 s)
      assertEquals(1.0, resumed.get("chat_cluster_members{status=\"up\"}"));
      assertEquals(0.0, resumed.get("chat_cluster_unreachable_members"));
      Await.until(() -> scrape(node.metricsUri()).getOrDefault("chat_entities{entity=\"room\"}", 0.0) >= 1.0,
          java.time.Duration.ofSeconds(30));
      Map<String, Double> sharded = scrape(node.metricsUri());
      assertTrue(sharded.get("chat_shards{entity=\"room\"}") >= 1.0);
      assertTrue(sharded.get("chat_shards{entity=\"user\"}") >= 1.0);
      assertTrue(sharded.get("chat_entities{entity=\"user\"}") >= 3.0);

      // every metric the dashboard queries is really exposed (the push pipeline's are checked by PushIT)
      Set<String> missing = new TreeSet<>();
      for (String family : GrafanaDashboard.metricNames()) {
        if (!family.startsWith("chat_push_") && !family.startsWith("kafka_")
            && sharded.keySet().stream().noneMatch(k -> k.equals(family) || k.startsWith(family + "_") || k.startsWith(family + "{"))) {
          missing.add(family);
        }
      }
      assertEquals(Set.of(), missing, "queried by the dashboard, not exposed by the node");

      String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(node.metricsUri()).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      for (String forbidden : List.of(alice, bob, mallory, roomId, suffix)) {
        assertTrue(!text.contains(forbidden), "a user or room id appears in the metrics: " + forbidden);
      }
    }
  }

  private static double delta(Map<String, Double> before, Map<String, Double> after, String sample) {
    assertTrue(after.containsKey(sample), () -> sample + " is exposed; of its family there are "
        + after.keySet().stream().filter(k -> k.startsWith(sample.substring(0, sample.indexOf('_') + 1))).sorted().limit(20).toList());
    if (!before.containsKey(sample) && sample.contains("seconds_sum")) {
      return after.get(sample);
    }
    return after.get(sample) - before.getOrDefault(sample, 0.0);
  }

  private static Map<String, Double> scrape(URI uri) {
    return Scrape.samples(uri);
  }
}

package chat.node.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.Await;
import chat.node.testing.TestNode;
import chat.protocol.client.ChatClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The metrics endpoint after real traffic: counters and histograms move by what was done, and no label names a user or room. */
@ExtendWith(CassandraExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsIT {

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

  @Test
  void sendsMoveTheCountersAndTheAckHistogramByExactlyWhatWasSent(TestCassandra cassandra) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String alice = "metrics-alice-" + suffix;
    String mallory = "metrics-mallory-" + suffix;
    try (TestNode node = TestNode.start(cassandra)) {
      Map<String, Double> before = scrape(node.metricsUri());
      String roomId;
      try (ChatClient a = node.login(alice); ChatClient m = node.login(mallory)) {
        roomId = Await.result(a.createRoom("metrics-" + suffix, "Metrics", List.of(), null)).room().roomId();
        for (int i = 0; i < 25; i++) {
          Await.result(a.send(roomId, "m-" + i, "hello " + i));
        }
        Await.result(a.send(roomId, "m-0", "hello 0")); // a retry: answered as a duplicate
        for (int i = 0; i < 3; i++) {
          assertTrue(m.send(roomId, "x-" + i, "not a member").handle((ok, e) -> e != null).get(20, TimeUnit.SECONDS));
        }
        Map<String, Double> during = scrape(node.metricsUri());
        assertEquals(2.0, during.get("chat_connections_open") - before.get("chat_connections_open"));
      }
      Map<String, Double> after = scrape(node.metricsUri());
      assertEquals(25.0, delta(before, after, "chat_messages_accepted_total"));
      assertEquals(1.0, delta(before, after, "chat_messages_duplicate_total"));
      assertEquals(3.0, delta(before, after, "chat_messages_rejected_total{reason=\"not_member\"}"));
      assertEquals(26.0, delta(before, after, "chat_send_ack_seconds_count"));
      assertEquals(26.0, delta(before, after, "chat_send_ack_seconds_bucket{le=\"+Inf\"}"));
      assertTrue(delta(before, after, "chat_send_ack_seconds_sum") > 0);
      assertEquals(29.0, delta(before, after, "chat_frames_received_total{type=\"send\"}"));
      assertEquals(2.0, delta(before, after, "chat_frames_received_total{type=\"hello\"}"));
      assertEquals(3.0, delta(before, after, "chat_errors_total{code=\"not_member\"}"));
      assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")), "JVM basics are there");

      String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(node.metricsUri()).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      for (String forbidden : List.of(alice, mallory, roomId, suffix)) {
        assertTrue(!text.contains(forbidden), "a user or room id appears in the metrics: " + forbidden);
      }
    }
  }

  private static double delta(Map<String, Double> before, Map<String, Double> after, String sample) {
    assertTrue(after.containsKey(sample), sample + " is exposed");
    return after.get(sample) - before.getOrDefault(sample, 0.0);
  }

  private static Map<String, Double> scrape(URI uri) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    Map<String, Double> samples = new HashMap<>();
    Matcher m = SAMPLE.matcher(response.body());
    while (m.find()) {
      samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
    }
    return samples;
  }
}

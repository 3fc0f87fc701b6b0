package chat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ExpositionTest {

  private static final String BEFORE = """
      # HELP chat_messages_accepted_total Sends stored by their room
      # TYPE chat_messages_accepted_total counter
      chat_messages_accepted_total 10.0
      # TYPE chat_send_ack_seconds histogram
      chat_send_ack_seconds_bucket{le="0.001"} 0
      chat_send_ack_seconds_bucket{le="0.002"} 5
      chat_send_ack_seconds_bucket{le="0.004"} 10
      chat_send_ack_seconds_bucket{le="0.008"} 10
      chat_send_ack_seconds_bucket{le="+Inf"} 10
      chat_send_ack_seconds_count 10
      chat_send_ack_seconds_sum 0.025
      chat_delivery_seconds_count{node="a"} 7
      chat_delivery_seconds_count{node="b"} 3
      """;

  // 100 more sends: 0 under 1 ms, 50 in (1, 2] ms, 40 in (2, 4] ms, 9 in (4, 8] ms, 1 above
  private static final String AFTER = """
      chat_messages_accepted_total 110.0
      chat_send_ack_seconds_bucket{le="0.001"} 0
      chat_send_ack_seconds_bucket{le="0.002"} 55
      chat_send_ack_seconds_bucket{le="0.004"} 100
      chat_send_ack_seconds_bucket{le="0.008"} 109
      chat_send_ack_seconds_bucket{le="+Inf"} 110
      chat_send_ack_seconds_count 110
      chat_send_ack_seconds_sum 0.4
      chat_delivery_seconds_count{node="a"} 207
      chat_delivery_seconds_count{node="b"} 103
      """;

  @Test
  void parsesSamplesAndSumsOverLabels() {
    Exposition e = Exposition.parse(BEFORE);
    assertEquals(10.0, e.sum("chat_messages_accepted_total"));
    assertEquals(10.0, e.sum("chat_delivery_seconds_count"));
    assertEquals(0.0, e.sum("absent"));
    assertTrue(Double.isInfinite(e.buckets("chat_send_ack_seconds").lastKey()));
  }

  @Test
  void quantilesInterpolateWithinTheBucketAsHistogramQuantileDoes() {
    TreeMap<Double, Double> delta = Exposition.delta(Exposition.parse(BEFORE).buckets("chat_send_ack_seconds"),
        Exposition.parse(AFTER).buckets("chat_send_ack_seconds"));
    assertEquals(100.0, delta.lastEntry().getValue());
    // rank 50 of 100: in (0.001, 0.002] which holds ranks 1..50: its upper bound
    assertEquals(0.002, Exposition.quantile(0.5, delta), 1e-12);
    // rank 25: halfway through the 50 of that bucket
    assertEquals(0.0015, Exposition.quantile(0.25, delta), 1e-12);
    // rank 99: (0.004, 0.008] holds ranks 91..99 (9 of them): 9 of 9 of the way
    assertEquals(0.008, Exposition.quantile(0.99, delta), 1e-12);
    // rank 95: 5 of 9 of the way through (0.004, 0.008]
    assertEquals(0.004 + 0.004 * 5 / 9, Exposition.quantile(0.95, delta), 1e-12);
    // rank 99.5: in +Inf: the highest finite bound
    assertEquals(0.008, Exposition.quantile(0.995, delta), 1e-12);
  }

  @Test
  void noSamplesIsNotANumber() {
    TreeMap<Double, Double> empty = Exposition.delta(Exposition.parse(BEFORE).buckets("chat_send_ack_seconds"),
        Exposition.parse(BEFORE).buckets("chat_send_ack_seconds"));
    assertTrue(Double.isNaN(Exposition.quantile(0.5, empty)));
  }

  @Test
  void theComparisonHasTheServersDeltas() {
    ServerMetrics.Comparison c = ServerMetrics.compare("test", Exposition.parse(BEFORE), Exposition.parse(AFTER), 100, 300);
    assertEquals(100.0, c.accepted());
    assertEquals(300.0, c.deliveries());
    assertEquals(100.0, c.sendAck().count());
    assertEquals(2.0, c.sendAck().p50());
    assertEquals(8.0, c.sendAck().p99());
    assertEquals(-1.0, c.persist().p50());
  }

  @Test
  void labelValuesMayHoldEscapesAndSpaces() {
    Exposition e = Exposition.parse("m{a=\"x \\\"y\\\"\",le=\"1\"} 3\nm_bucket{path=\"/a b\",le=\"+Inf\"} 4 1700000000\n");
    assertEquals(3.0, e.sum("m"));
    assertEquals(4.0, e.buckets("m").get(Double.POSITIVE_INFINITY));
  }
}

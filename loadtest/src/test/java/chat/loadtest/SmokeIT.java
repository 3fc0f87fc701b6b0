package chat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.node.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short runs of the generator against a real node in this JVM: what they check is correctness (every
 * item delivered once, in order, and the counts agree with the node's metrics), never timing.
 */
@ExtendWith(CassandraExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SmokeIT {

  private static Result run(TestNode node, Path dir, Map<String, String> scenario) {
    Map<String, String> o = new HashMap<>(Map.of(
        "--url", node.httpUri().toString(),
        "--metrics", node.metricsUri().toString(),
        "--dev-dir", dir.toString(),
        "--out", dir.resolve("result.json").toString(),
        "--drain-seconds", "20",
        "--deadline", "180"));
    o.putAll(scenario);
    return LoadGenerator.run(Options.of(o), user -> CompletableFuture.completedFuture(node.token(user)), line -> {},
        "smoke");
  }

  private static void assertEverythingDeliveredOnce(Result r) {
    Result.Delivery d = r.delivery();
    assertTrue(d.expected() > 0, "something was expected");
    assertEquals(d.expected(), d.delivered(), "delivered == expected");
    assertEquals(0, d.lost(), "lost " + d.lostSamples());
    assertEquals(0, d.duplicates(), "duplicates");
    assertEquals(0, d.reorders(), "reorders");
    assertEquals(0, d.connectionErrors(), "connection errors: " + r.errorSamples());
    assertEquals(0, r.messages().failed(), "failed sends: " + r.errorSamples());
    assertEquals(r.messages().sent(), r.messages().acked());
    assertTrue(r.passed(), "passed: " + r.failures());
  }

  @Test
  void groupsDeliverEveryMessageToEveryMemberOnceAndInOrder(TestCassandra cassandra, @TempDir Path dir) throws Exception {
    try (TestNode node = TestNode.start(cassandra)) {
      Result r = run(node, dir, Map.of("--scenario", "groups", "--rooms", "3", "--room-size", "4",
          "--rate", "60", "--warmup", "2", "--seconds", "6"));
      assertEverythingDeliveredOnce(r);
      // 8 s at 60/s; every message to all 4 members of its room (the sender's own copy included)
      assertEquals(480, r.messages().scheduled());
      assertEquals(r.messages().acked() * 4, r.delivery().expected());
      // the node saw what the generator saw
      assertEquals(r.messages().acked(), (long) r.serverMetrics().accepted());
      assertEquals(r.delivery().delivered(), (long) r.serverMetrics().deliveries());
      // samples from after the warm-up only, and none of a sender's own messages: each timed send is
      // received by exactly the 3 other members, and the warm-up's sends are not timed
      assertTrue(r.ack().count() > 0 && r.ack().count() < r.messages().acked(), "the warm-up is not timed");
      assertEquals(r.ack().count() * 3, r.receive().count());
      assertTrue(Files.readString(dir.resolve("result.html")).contains("<svg"));
    }
  }

  @Test
  void aReconnectStormResumesEveryReceiverWithoutLoss(TestCassandra cassandra, @TempDir Path dir) {
    try (TestNode node = TestNode.start(cassandra)) {
      Result r = run(node, dir, Map.of("--scenario", "reconnect-storm", "--rooms", "2", "--room-size", "5",
          "--rate", "20", "--warmup", "3", "--away", "3", "--seconds", "3"));
      assertEverythingDeliveredOnce(r);
      assertEquals(10, r.storm().expected());
      assertEquals(10, r.storm().resumed());
      assertTrue(r.storm().sentWhileAway() > 0);
    }
  }
}

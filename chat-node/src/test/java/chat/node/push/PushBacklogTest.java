package chat.node.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The backlog becomes visible while Kafka does not acknowledge, not only once a batch finally fails. */
class PushBacklogTest {

  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aBatchWaitingOnKafkaIsReportedWithItsCountsAndItsRecoveryToo() {
    PushBacklog backlog = new PushBacklog();
    long t0 = 1_000_000;
    backlog.started("push-1", 40, t0 - 2_000, t0);
    backlog.producing("push-1", 120);
    backlog.started("push-2", 10, t0 - 1_000, t0 + 3_000);
    backlog.producing("push-2", 30);
    // both batches are in hand: 50 messages, the oldest stored 2 s before t0
    assertEquals(50, backlog.waitingMessages());
    assertEquals(6.0, backlog.oldestWaitSeconds(t0 + 4_000));
    // a tag that moves to another node is no longer counted here
    PushBacklog moved = new PushBacklog();
    moved.started("push-4", 7, t0, t0);
    moved.failed("push-4", new RuntimeException("broker down"), t0 + 1_000);
    assertEquals(1, moved.failingTags());
    moved.stopped("push-4");
    assertEquals(0, moved.failingTags());
    assertEquals(0, moved.waitingMessages());
    // not yet stalled: nothing to say
    LoggingTestKit.warn("push backlog").withOccurrences(0)
        .expect(testKit.system(), () -> {
          backlog.report(t0 + 4_000);
          return null;
        });
    // push-1 waits 6 s, push-2 only 3 s: one tag behind
    LoggingTestKit.warn("push backlog: 1 of the node's push tags are behind; at least 40 messages (120 push requests)"
            + " wait, the oldest for 8 s (waiting for Kafka to acknowledge)")
        .expect(testKit.system(), () -> {
          backlog.report(t0 + 6_000);
          return null;
        });
    // at most one line per 10 s
    LoggingTestKit.warn("push backlog").withOccurrences(0)
        .expect(testKit.system(), () -> {
          backlog.report(t0 + 9_000);
          return null;
        });
    // a batch still being decided on says so
    PushBacklog deciding = new PushBacklog();
    deciding.started("push-3", 2, t0, t0);
    LoggingTestKit.warn("at least 2 messages (0 push requests) wait, the oldest for 6 s (waiting for rooms and sessions to answer)")
        .expect(testKit.system(), () -> {
          deciding.report(t0 + 6_000);
          return null;
        });
    // the batch fails at the producer's delivery timeout; the report names the cause
    LoggingTestKit.warn("(TimeoutException: Expiring 120 record(s))")
        .expect(testKit.system(), () -> {
          backlog.failed("push-1", new RuntimeException(new TimeoutException("Expiring 120 record(s)")), t0 + 30_000);
          return null;
        });
    assertEquals(1, backlog.failingTags());
    LoggingTestKit.info("push tag push-1 flows again after 35 s; the oldest waiting message was 37 s old")
        .expect(testKit.system(), () -> {
          backlog.started("push-1", 40, t0 - 2_000, t0 + 34_000);
          backlog.handled("push-1", 40, 120, t0 + 35_000);
          return null;
        });
    assertEquals(0, backlog.failingTags());
    assertEquals(120, backlog.produced());
    assertEquals(1, backlog.failedBatches());
  }
}

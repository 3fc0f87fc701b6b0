package chat.node.room;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WriteRequestsTest {

  private long now = 1_000_000_000L;
  private final WriteRequests requests = new WriteRequests(Duration.ofSeconds(1), () -> now);

  @Test
  void oneRequestIsOnItsWayAtATimeHoweverLongTheSendsWait() {
    assertTrue(requests.shouldSend());
    for (int send = 0; send < 50; send++) {
      now += Duration.ofMillis(19).toNanos(); // 50 sends in 950 ms, while the request waits behind them
      assertFalse(requests.shouldSend(), "send " + send + " asked for a second write");
    }
  }

  @Test
  void theNextRequestGoesOutAsSoonAsOneArrived() {
    assertTrue(requests.shouldSend());
    requests.arrived();
    assertTrue(requests.shouldSend());
    assertFalse(requests.shouldSend());
  }

  @Test
  void aRequestThatDoesNotArriveIsSentAgainOncePerInterval() {
    assertTrue(requests.shouldSend());
    now += Duration.ofMillis(1001).toNanos();
    assertTrue(requests.shouldSend(), "the first may have been dropped with a full stash");
    now += Duration.ofMillis(500).toNanos();
    assertFalse(requests.shouldSend());
    now += Duration.ofMillis(501).toNanos();
    assertTrue(requests.shouldSend());
  }
}

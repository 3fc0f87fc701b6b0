package chat.node.push.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2);

  @Test
  void doublesFromMinToMaxWithoutJitter() {
    List<Long> schedule = IntStream.rangeClosed(1, 8).mapToObj(n -> backoff.delay(n, 0).toMillis()).toList();
    assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L, 30_000L, 30_000L), schedule);
  }

  @Test
  void jitterOnlyShortensTheWaitByUpToTheRandomFactor() {
    assertEquals(3_200, backoff.delay(3, 1).toMillis());
    assertEquals(3_600, backoff.delay(3, 0.5).toMillis());
    for (int n = 1; n < 100; n++) {
      Duration delay = backoff.delay(n);
      Duration base = backoff.delay(n, 0);
      assertTrue(delay.compareTo(base) <= 0 && delay.toMillis() >= base.toMillis() * 0.8 - 1, n + ": " + delay);
    }
  }

  @Test
  void manyRetriesDoNotOverflow() {
    assertEquals(Duration.ofSeconds(30), backoff.delay(10_000, 0));
    assertEquals(Duration.ofDays(1), new Backoff(Duration.ofMillis(1), Duration.ofDays(1), 0).delay(1_000, 0));
  }

  @Test
  void refusesNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ZERO, 1.5));
    assertThrows(IllegalArgumentException.class, () -> backoff.delay(0, 0));
  }
}

package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LogThrottleTest {

  private static final Duration INTERVAL = Duration.ofSeconds(10);
  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  @Test
  void theFirstEventIsLoggedAndTheRestOfTheIntervalOnlyCounted() {
    LogThrottle throttle = new LogThrottle(INTERVAL);
    long t = 1_000 * SECOND;
    assertEquals(0, throttle.admit(t));
    for (int i = 1; i <= 50; i++) {
      assertEquals(-1, throttle.admit(t + i * SECOND / 10));
    }
    // the next line, an interval after the last one, says how many were held back
    assertEquals(50, throttle.admit(t + 10 * SECOND));
    assertEquals(-1, throttle.admit(t + 11 * SECOND));
    assertEquals(1, throttle.admit(t + 25 * SECOND));
    assertEquals(0, throttle.admit(t + 60 * SECOND));
  }

  @Test
  void keysAreThrottledApartAndBoundedInNumber() {
    LogThrottle.Keyed throttles = new LogThrottle.Keyed(INTERVAL, 3);
    long t = 1_000 * SECOND;
    assertEquals(0, throttles.admit("192.0.2.1 403", t));
    assertEquals(0, throttles.admit("192.0.2.2 403", t));
    assertEquals(-1, throttles.admit("192.0.2.1 403", t + SECOND));
    assertEquals(0, throttles.admit("192.0.2.3 403", t));
    // full: further addresses share one throttle, so many of them still cost a line per interval
    assertEquals(0, throttles.admit("192.0.2.4 403", t + SECOND));
    assertEquals(-1, throttles.admit("192.0.2.5 403", t + SECOND));
    assertEquals(-1, throttles.admit("192.0.2.6 403", t + 2 * SECOND));
    assertTrue(throttles.keys() <= 4, "at most the limit plus the shared one: " + throttles.keys());
    // once an interval has passed, quiet keys are forgotten and room is made for new ones
    assertEquals(0, throttles.admit("192.0.2.7 403", t + 20 * SECOND));
    assertEquals(-1, throttles.admit("192.0.2.7 403", t + 21 * SECOND));
    assertTrue(throttles.keys() <= 4, String.valueOf(throttles.keys()));
  }
}

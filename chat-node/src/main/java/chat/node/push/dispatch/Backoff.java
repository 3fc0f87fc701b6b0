package chat.node.push.dispatch;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: before retry {@code n} (1 for the first retry) it waits
 * {@code min(maxBackoff, minBackoff * 2^(n-1))}, less a random share of up to {@code randomFactor} of that. The
 * jitter only ever shortens the wait, so no wait exceeds {@code maxBackoff}, and callers that failed together
 * (a platform outage) do not come back together.
 */
public record Backoff(Duration minBackoff, Duration maxBackoff, double randomFactor) {

  public Backoff {
    if (minBackoff.isNegative() || maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException("backoff needs 0 <= min-backoff <= max-backoff");
    }
    if (randomFactor < 0 || randomFactor > 1) {
      throw new IllegalArgumentException("random-factor must be between 0 and 1");
    }
  }

  /** The wait before retry {@code retry}, {@code random} in [0, 1) choosing the jitter. */
  public Duration delay(int retry, double random) {
    if (retry < 1) {
      throw new IllegalArgumentException("retries count from 1");
    }
    long max = maxBackoff.toMillis();
    long base = minBackoff.toMillis();
    for (int i = 1; i < retry && base < max; i++) {
      base = Math.min(max, base * 2);
    }
    return Duration.ofMillis(Math.round(base * (1 - randomFactor * random)));
  }

  public Duration delay(int retry) {
    return delay(retry, ThreadLocalRandom.current().nextDouble());
  }
}

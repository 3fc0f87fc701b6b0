package chat.node.gateway;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets the first of a kind of event be logged at once, then at most one per interval, and counts the ones
 * held back so that the next line can say how many there were: a client that repeats a mistake in a loop
 * costs a line per interval, not a line per frame or per attempt. Not thread-safe: a connection actor owns
 * its own; {@link Keyed} shares them between threads.
 */
final class LogThrottle {

  private final long intervalNanos;
  private boolean logged;
  private long loggedAt;
  private int heldBack;

  LogThrottle(Duration interval) {
    this.intervalNanos = interval.toNanos();
  }

  /** -1 to stay quiet (the event is counted); otherwise log now, saying this many were held back since the last line. */
  int admit(long nowNanos) {
    if (logged && nowNanos - loggedAt < intervalNanos) {
      heldBack++;
      return -1;
    }
    int held = heldBack;
    heldBack = 0;
    logged = true;
    loggedAt = nowNanos;
    return held;
  }

  private boolean quietSince(long nowNanos) {
    return nowNanos - loggedAt >= intervalNanos;
  }

  /**
   * One throttle per key (e.g. a client address with what was refused), for events logged outside any
   * actor. At most {@code maxKeys} are kept; when full, keys whose interval has passed are forgotten (at most
   * once per interval) and, if that frees nothing, new keys share one throttle, so that many addresses
   * together still cost one line per interval. Thread-safe.
   */
  static final class Keyed {

    static final String OTHERS = "others";

    private final Duration interval;
    private final int maxKeys;
    private final ConcurrentHashMap<String, LogThrottle> throttles = new ConcurrentHashMap<>();
    /** Null until the first sweep. */
    private Long sweptAt;

    Keyed(Duration interval, int maxKeys) {
      this.interval = interval;
      this.maxKeys = maxKeys;
    }

    /** As {@link LogThrottle#admit}, for {@code key}. */
    int admit(String key, long nowNanos) {
      if (throttles.size() >= maxKeys && !throttles.containsKey(key)) {
        sweep(nowNanos);
        if (throttles.size() >= maxKeys) {
          key = OTHERS;
        }
      }
      LogThrottle throttle = throttles.computeIfAbsent(key, k -> new LogThrottle(interval));
      synchronized (throttle) {
        return throttle.admit(nowNanos);
      }
    }

    /** Forgets the keys quiet for an interval (with what they held back), at most once per interval. */
    private synchronized void sweep(long nowNanos) {
      if (sweptAt == null || nowNanos - sweptAt >= interval.toNanos()) {
        sweptAt = nowNanos;
        throttles.entrySet().removeIf(e -> {
          synchronized (e.getValue()) {
            return e.getValue().quietSince(nowNanos);
          }
        });
      }
    }

    int keys() {
      return throttles.size();
    }
  }
}

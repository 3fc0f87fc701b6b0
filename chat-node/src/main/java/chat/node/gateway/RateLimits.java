package chat.node.gateway;

import chat.protocol.ClientFrame;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-user token buckets on this node, shared by all the user's connections here: sends, typing, room
 * creation, history reads, and everything else. A user connected through several nodes gets each node's
 * allowance (at most {@code max-connections-per-user} of them). Buckets outlive connections, so that
 * reconnecting does not refill them; {@link #sweep} forgets those that have refilled anyway. Thread-safe.
 */
final class RateLimits {

  enum Kind { SEND, TYPING, CREATE_ROOM, HISTORY, OTHER }

  /** Tokens per second and bucket size. */
  record Rate(double perSecond, int burst) {}

  private static final class Bucket {
    private final Rate rate;
    private double tokens;
    private long refilledAt;

    Bucket(Rate rate, long now) {
      this.rate = rate;
      this.tokens = rate.burst();
      this.refilledAt = now;
    }

    /** Full again by {@code now}: as good as a new bucket, so it can be forgotten. */
    synchronized boolean fullAt(long now) {
      return tokens + (now - refilledAt) * rate.perSecond() / 1000.0 >= rate.burst();
    }

    /** 0 if a token was taken, else the milliseconds until one will be there. */
    synchronized long take(long now) {
      tokens = Math.min(rate.burst(), tokens + (now - refilledAt) * rate.perSecond() / 1000.0);
      refilledAt = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - tokens) * 1000.0 / rate.perSecond());
    }
  }

  private final Map<Kind, Rate> rates;
  private final ConcurrentHashMap<String, Map<Kind, Bucket>> users = new ConcurrentHashMap<>();

  RateLimits(Map<Kind, Rate> rates) {
    this.rates = new EnumMap<>(rates);
  }

  static Kind kindOf(ClientFrame frame) {
    if (frame instanceof ClientFrame.Send) {
      return Kind.SEND;
    } else if (frame instanceof ClientFrame.Typing) {
      return Kind.TYPING;
    } else if (frame instanceof ClientFrame.CreateRoom || frame instanceof ClientFrame.OpenDm) {
      return Kind.CREATE_ROOM;
    } else if (frame instanceof ClientFrame.History) {
      return Kind.HISTORY;
    }
    return Kind.OTHER;
  }

  /** 0 if the request may go ahead, else how many milliseconds to wait. */
  long acquire(String user, ClientFrame frame, long nowMillis) {
    Map<Kind, Bucket> buckets = users.computeIfAbsent(user, u -> new ConcurrentHashMap<>());
    Kind kind = kindOf(frame);
    return buckets.computeIfAbsent(kind, k -> new Bucket(rates.get(k), nowMillis)).take(nowMillis);
  }

  /**
   * Forgets the users whose buckets have all refilled: what remains is bounded by the users active within
   * the slowest refill time (a burst of 10 room creations at 0.5/s: 20 s).
   */
  void sweep(long nowMillis) {
    users.entrySet().removeIf(user -> user.getValue().values().stream().allMatch(b -> b.fullAt(nowMillis)));
  }

  int users() {
    return users.size();
  }
}

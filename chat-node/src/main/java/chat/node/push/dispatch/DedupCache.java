package chat.node.push.dispatch;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dedupKeys of the most recently handled push requests, so that a request produced twice (production is at
 * least once) or read twice (a redelivery after a consumer restart within this process) is pushed once.
 *
 * <p>Bounded: it keeps the {@code capacity} most recently used keys (least recently used evicted first), about
 * 150 bytes per key, so 30 MB at the default 200,000. It lives in memory only. A duplicate is caught when the
 * original was handled by this same process no more than {@code capacity} requests earlier. Not caught: a
 * duplicate handled by another dispatcher of the group (after a rebalance moved the partition), one handled
 * after this process restarted (the records between the last committed offset and the crash are read and
 * pushed again), or one arriving after {@code capacity} other requests. docs/push-dispatcher.md explains the
 * tradeoff.
 *
 * <p>Thread-safe. A request's key is {@link #add added} only once the request is fully handled, so one that was
 * interrupted half-way is not mistaken for a duplicate when it is read again; meanwhile the dispatcher keeps a
 * key per device done, so that the devices already pushed are skipped when it is.
 */
public final class DedupCache {

  private final int capacity;
  private final Map<String, Boolean> keys;

  public DedupCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
    this.keys = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > DedupCache.this.capacity;
      }
    };
  }

  /** Whether {@code key} was handled recently; a hit counts as a use. */
  public synchronized boolean contains(String key) {
    return keys.get(key) != null;
  }

  public synchronized void add(String key) {
    keys.put(key, Boolean.TRUE);
  }

  public synchronized void remove(String key) {
    keys.remove(key);
  }

  public synchronized int size() {
    return keys.size();
  }
}

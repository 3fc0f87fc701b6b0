package chat.node.push.dispatch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Running totals since the dispatcher started, for logs now and a metrics exporter later. Per request:
 * {@code received} (every record read, malformed ones included), {@code duplicates}, {@code noDevices},
 * {@code expired} (older than max-age, not pushed), {@code malformed}. Per device: {@code sent},
 * {@code invalidTokens} (feedback produced), {@code failed} (refused, or retries used up).
 */
public final class DispatchCounters {

  final AtomicLong received = new AtomicLong();
  final AtomicLong duplicates = new AtomicLong();
  final AtomicLong noDevices = new AtomicLong();
  final AtomicLong expired = new AtomicLong();
  final AtomicLong malformed = new AtomicLong();
  final AtomicLong sent = new AtomicLong();
  final AtomicLong invalidTokens = new AtomicLong();
  final AtomicLong failed = new AtomicLong();

  public long received() {
    return received.get();
  }

  public long duplicates() {
    return duplicates.get();
  }

  public long noDevices() {
    return noDevices.get();
  }

  public long expired() {
    return expired.get();
  }

  public long malformed() {
    return malformed.get();
  }

  public long sent() {
    return sent.get();
  }

  public long invalidTokens() {
    return invalidTokens.get();
  }

  public long failed() {
    return failed.get();
  }

  /** All counters by name, in a stable order. */
  public Map<String, Long> snapshot() {
    Map<String, Long> all = new LinkedHashMap<>();
    all.put("received", received());
    all.put("duplicates", duplicates());
    all.put("noDevices", noDevices());
    all.put("expired", expired());
    all.put("malformed", malformed());
    all.put("sent", sent());
    all.put("invalidTokens", invalidTokens());
    all.put("failed", failed());
    return all;
  }

  @Override
  public String toString() {
    return snapshot().toString();
  }
}

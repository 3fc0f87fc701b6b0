package chat.node.push.dispatch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Running totals since the dispatcher started, for logs now and a metrics exporter later. Per request:
 * {@code received} (every record read, malformed ones included), {@code duplicates}, {@code noDevices},
 * {@code expired} (older than max-age, not pushed), {@code malformed}. Per device: {@code sent},
 * {@code invalidTokens} (feedback produced), {@code failed} (refused, or retries used up). Per call:
 * {@code unavailable}, the platform refused the dispatcher itself (credentials, project, endpoint) or could not be
 * called for want of credentials; those sends are held, not counted failed. And one gauge, not a total:
 * {@code held}, the devices whose send is waiting for its platform now (a request with one is not committed).
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
  final AtomicLong unavailable = new AtomicLong();
  final AtomicLong held = new AtomicLong();

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

  public long unavailable() {
    return unavailable.get();
  }

  public long held() {
    return held.get();
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
    all.put("unavailable", unavailable());
    all.put("held", held());
    return all;
  }

  @Override
  public String toString() {
    return snapshot().toString();
  }
}

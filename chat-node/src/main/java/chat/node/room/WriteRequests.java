package chat.node.room;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Decides when a room asks itself to write its pending sends: one request on its way at a time.
 *
 * <p>A request that arrives writes everything pending, so a second one on its way would only split the
 * next group commit: it comes between later sends and writes them in a batch of their own. A room asking
 * with every send once its sends waited longer than a second turned a slow second (a GC pause, a busy
 * journal) into one journal round trip per send, which kept the journal behind: a collapse that outlived
 * its cause. A request is only sent again when the last one is older than {@code resendAfter}, in case
 * the journal's full stash dropped it. Not thread-safe: owned by the room.
 */
final class WriteRequests {

  private final long resendAfterNanos;
  private final LongSupplier nanoClock;
  private boolean onItsWay;
  private long sentAt;

  WriteRequests(Duration resendAfter, LongSupplier nanoClock) {
    this.resendAfterNanos = resendAfter.toNanos();
    this.nanoClock = nanoClock;
  }

  /** Whether to send a request now; if so, it is counted as sent. */
  boolean shouldSend() {
    long now = nanoClock.getAsLong();
    if (onItsWay && now - sentAt < resendAfterNanos) {
      return false;
    }
    onItsWay = true;
    sentAt = now;
    return true;
  }

  /** A request arrived, or none can arrive any more (a restart): the next one is sent at once. */
  void arrived() {
    onItsWay = false;
  }
}

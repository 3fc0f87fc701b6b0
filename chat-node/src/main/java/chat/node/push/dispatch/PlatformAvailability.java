package chat.node.push.dispatch;

import chat.protocol.PushPlatform;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the dispatcher can use each platform at all, for the log and the counters: a platform is unavailable
 * from its first {@link SendOutcome.PlatformUnavailable} until it next delivers or refuses a token, and
 * {@link RetryingSender} holds every send to it meanwhile.
 *
 * <p>The log is rate-limited, since every held send asks again with backoff: one ERROR when a platform becomes
 * unavailable, one ERROR every {@code logInterval} while it stays so (refusals since the last one, devices held
 * now), and one INFO when it is back. Lines name the platform and the refusal's reason (a platform code such as
 * {@code UNAUTHENTICATED}, or {@code not configured: no token}), never a token, credential or message.
 */
final class PlatformAvailability {

  private static final Logger log = LoggerFactory.getLogger(PlatformAvailability.class);

  private static final class State {
    /** {@code System.nanoTime()} when it became unavailable; meaningless while {@code !down}. */
    long downSince;
    boolean down;
    long loggedAt;
    long refusedSinceLog;
    int held;
  }

  private final DispatchCounters counters;
  private final long logIntervalNanos;
  private final LongSupplier nanoTime;
  private final Map<PushPlatform, State> states = new EnumMap<>(PushPlatform.class);

  PlatformAvailability(DispatchCounters counters, Duration logInterval) {
    this(counters, logInterval, System::nanoTime);
  }

  PlatformAvailability(DispatchCounters counters, Duration logInterval, LongSupplier nanoTime) {
    this.counters = counters;
    this.logIntervalNanos = logInterval.toNanos();
    this.nanoTime = nanoTime;
    for (PushPlatform platform : PushPlatform.values()) {
      states.put(platform, new State());
    }
  }

  /** {@code platform} refused the dispatcher (or could not be called for want of credentials). */
  synchronized void refused(PushPlatform platform, String reason) {
    counters.unavailable.incrementAndGet();
    State state = states.get(platform);
    long now = nanoTime.getAsLong();
    if (!state.down) {
      state.down = true;
      state.downSince = now;
      state.loggedAt = now;
      state.refusedSinceLog = 0;
      log.error("{} unavailable ({}): its requests are held, and nothing read after them is committed, until it "
          + "accepts the dispatcher again; check its credentials (token file and whatever refreshes it), "
          + "project or bundle id, and base-url", platform, reason);
      return;
    }
    state.refusedSinceLog++;
    if (now - state.loggedAt >= logIntervalNanos) {
      log.error("{} still unavailable after {} s ({}): {} refusals since the last report, {} devices held", platform,
          seconds(now - state.downSince), reason, state.refusedSinceLog, state.held);
      state.loggedAt = now;
      state.refusedSinceLog = 0;
    }
  }

  /** {@code platform} took a send on its merits (delivered it, or refused the token): it is usable. */
  synchronized void usable(PushPlatform platform) {
    State state = states.get(platform);
    if (state.down) {
      state.down = false;
      log.info("{} available again after {} s of refusals: {} held devices resume", platform,
          seconds(nanoTime.getAsLong() - state.downSince), state.held);
    }
  }

  /** A send to {@code platform} starts waiting for it. */
  synchronized void hold(PushPlatform platform) {
    states.get(platform).held++;
    counters.held.incrementAndGet();
  }

  /** A send that {@link #hold} counted is done waiting: sent, given up on, or cut short by shutdown. */
  synchronized void release(PushPlatform platform) {
    states.get(platform).held--;
    counters.held.decrementAndGet();
  }

  synchronized boolean unavailable(PushPlatform platform) {
    return states.get(platform).down;
  }

  private static long seconds(long nanos) {
    return Duration.ofNanos(nanos).toSeconds();
  }
}

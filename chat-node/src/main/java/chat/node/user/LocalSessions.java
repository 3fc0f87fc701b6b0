package chat.node.user;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/**
 * The user sessions running on this node, so that the rooms on it reach them with one tell instead of
 * three (shard region, shard, session; the first two on another dispatcher). Sessions elsewhere, and
 * sessions that are starting or stopping, are reached through sharding as before.
 *
 * <p>A session registers once it has recovered and a message it sent itself through sharding has come
 * back, so what sharding was carrying to it before is in its mailbox first. It unregisters when sharding
 * asks it to stop, before it stops, and when it restarts. A tell through this directory runs under the
 * lock of the session's entry, so once {@link #unregister} returns, every tell that found the session is
 * already in its mailbox: the session handles them before the stop it sends itself after unregistering,
 * and nothing told here is lost to a stopped session. Later tells go through sharding, which holds them
 * for the next incarnation.
 *
 * <p>Sharding's idle passivation only counts the messages that pass through a shard, so a session that
 * rooms here keep busy reminds its shard of itself ({@link #viaSharding}) at most every
 * {@link #keepStarted(ClusterShardingSettings) quarter of the idle timeout}. A passivation strategy that
 * limits the number of active entities would still rank such a session by its sharded messages only.
 */
public final class LocalSessions {

  private static final Duration NEVER = Duration.ofNanos(Long.MAX_VALUE);

  private final ConcurrentHashMap<String, ActorRef<UserSession.Command>> running = new ConcurrentHashMap<>();
  private final long keepStartedNanos;
  private volatile ActorRef<ShardingEnvelope<UserSession.Command>> region;

  /** {@code keepStarted}: below sharding's idle-passivation timeout. */
  public LocalSessions(Duration keepStarted) {
    this.keepStartedNanos = keepStarted.toNanos();
  }

  /** Without sharding (a session on its own, in tests): sessions register as soon as they have recovered. */
  public LocalSessions() {
    this(NEVER);
  }

  /**
   * How often a session that rooms on its node keep busy reminds sharding of itself: a quarter of the idle
   * timeout that sharding's settings come to (so sharding's view lags the session's last delivery by at
   * most that), never when they do not passivate idle entities.
   */
  public static Duration keepStarted(ClusterShardingSettings sharding) {
    var idle = sharding.passivationStrategySettings().idleEntitySettings();
    if (idle.isEmpty() || idle.get().timeout().toNanos() <= 0) {
      return NEVER;
    }
    return Duration.ofNanos(idle.get().timeout().toNanos() / 4);
  }

  /** The sessions' shard region, once sharding has started it. */
  public void routeThrough(ActorRef<ShardingEnvelope<UserSession.Command>> region) {
    this.region = region;
  }

  /** Tells the user's session through sharding; false if there is no sharding to tell it through. */
  boolean viaSharding(String userId, UserSession.Command command) {
    ActorRef<ShardingEnvelope<UserSession.Command>> route = region;
    if (route == null) {
      return false;
    }
    route.tell(new ShardingEnvelope<>(userId, command));
    return true;
  }

  long keepStartedNanos() {
    return keepStartedNanos;
  }

  void register(String userId, ActorRef<UserSession.Command> session) {
    running.put(userId, session);
  }

  /** Only this session's entry: a stale incarnation never removes a newer one. */
  void unregister(String userId, ActorRef<UserSession.Command> session) {
    running.remove(userId, session);
  }

  /**
   * Tells the user's session if it runs on this node; false if it does not (nothing was told). The mailboxes
   * must not block a tell (bounded ones with a push timeout would): it runs under the entry's lock.
   */
  boolean tell(String userId, UserSession.Command command) {
    // a miss (most members on a cluster of several nodes) takes no lock
    if (!running.containsKey(userId)) {
      return false;
    }
    return running.computeIfPresent(userId, (id, session) -> {
      session.tell(command);
      return session;
    }) != null;
  }

  /** How many sessions are registered here. */
  public int size() {
    return running.size();
  }
}

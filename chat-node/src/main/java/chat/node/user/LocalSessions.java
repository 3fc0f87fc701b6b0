package chat.node.user;

import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The user sessions running on this node, so that the rooms on it reach them with one tell instead of
 * three (shard region, shard, session; the first two on another dispatcher). Sessions elsewhere, and
 * sessions that are starting or stopping, are reached through sharding as before.
 *
 * <p>A session registers once it has recovered and unregisters when sharding asks it to stop, before it
 * stops. A tell through this directory runs under the lock of the session's entry, so once
 * {@link #unregister} returns, every tell that found the session is already in its mailbox: the session
 * handles them before the stop it sends itself after unregistering, and nothing told here is lost to a
 * stopped session. Later tells go through sharding, which holds them for the next incarnation.
 */
public final class LocalSessions {

  private final ConcurrentHashMap<String, ActorRef<UserSession.Command>> running = new ConcurrentHashMap<>();

  void register(String userId, ActorRef<UserSession.Command> session) {
    running.put(userId, session);
  }

  /** Only this session's entry: a stale incarnation never removes a newer one. */
  void unregister(String userId, ActorRef<UserSession.Command> session) {
    running.remove(userId, session);
  }

  /** Tells the user's session if it runs on this node; false if it does not (nothing was told). */
  public boolean tell(String userId, UserSession.Command command) {
    return running.computeIfPresent(userId, (id, session) -> {
      session.tell(command);
      return session;
    }) != null;
  }

  /** How many sessions run here. */
  public int size() {
    return running.size();
  }
}

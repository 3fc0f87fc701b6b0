package chat.node.user;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The ephemeral side of a user session: the user's open connections with their availability, and the
 * connections of other users watching this user's presence. Both are leases: an entry that is not
 * refreshed within the lease is dropped, so a connection on a node that died without a word cannot
 * keep a user "online". Pure and not thread-safe: owned by the session.
 */
final class PresenceRegistry {

  record Connection(ActorRef<UserSession.ToConnection> ref, UserSession.Availability availability, long refreshedAt) {}

  record Watcher(String observer, long refreshedAt) {}

  private final Map<String, Connection> connections = new HashMap<>();
  private final Map<ActorRef<UserSession.ToConnection>, Watcher> watchers = new HashMap<>();

  /** Registers or refreshes a connection; returns the ref it replaced under another id, if any. */
  List<ActorRef<UserSession.ToConnection>> register(String connectionId, ActorRef<UserSession.ToConnection> ref, long now) {
    Connection known = connections.get(connectionId);
    UserSession.Availability availability = known != null ? known.availability() : UserSession.Availability.ONLINE;
    List<ActorRef<UserSession.ToConnection>> replaced = new ArrayList<>();
    connections.entrySet().removeIf(e -> {
      boolean sameRefOtherId = !e.getKey().equals(connectionId) && e.getValue().ref().equals(ref);
      if (sameRefOtherId) {
        replaced.add(e.getValue().ref());
      }
      return sameRefOtherId;
    });
    connections.put(connectionId, new Connection(ref, availability, now));
    return replaced;
  }

  boolean isRegistered(String connectionId, ActorRef<UserSession.ToConnection> ref) {
    Connection known = connections.get(connectionId);
    return known != null && known.ref().equals(ref);
  }

  ActorRef<UserSession.ToConnection> remove(String connectionId) {
    Connection removed = connections.remove(connectionId);
    return removed == null ? null : removed.ref();
  }

  void removeIfSame(String connectionId, ActorRef<UserSession.ToConnection> ref) {
    Connection known = connections.get(connectionId);
    if (known != null && known.ref().equals(ref)) {
      connections.remove(connectionId);
    }
  }

  /** Returns whether the connection was known. */
  boolean setAvailability(String connectionId, UserSession.Availability availability) {
    Connection known = connections.get(connectionId);
    if (known == null) {
      return false;
    }
    connections.put(connectionId, new Connection(known.ref(), availability, known.refreshedAt()));
    return true;
  }

  /** Adds or refreshes a watcher; returns whether it is new. */
  boolean watch(ActorRef<UserSession.ToConnection> watcher, String observer, long now) {
    return watchers.put(watcher, new Watcher(observer, now)) == null;
  }

  boolean unwatch(ActorRef<UserSession.ToConnection> watcher) {
    return watchers.remove(watcher) != null;
  }

  /** Drops connections and watchers not refreshed within {@code lease}; returns the refs dropped. */
  List<ActorRef<UserSession.ToConnection>> expire(long now, Duration lease) {
    long oldest = now - lease.toMillis();
    List<ActorRef<UserSession.ToConnection>> dropped = new ArrayList<>();
    connections.values().removeIf(c -> {
      boolean stale = c.refreshedAt() < oldest;
      if (stale) {
        dropped.add(c.ref());
      }
      return stale;
    });
    watchers.entrySet().removeIf(e -> {
      boolean stale = e.getValue().refreshedAt() < oldest;
      if (stale) {
        dropped.add(e.getKey());
      }
      return stale;
    });
    return dropped;
  }

  /** Online if any connection is, away if all are away, offline without connections or when hidden. */
  UserSession.Availability effective(boolean hidden) {
    if (hidden || connections.isEmpty()) {
      return UserSession.Availability.OFFLINE;
    }
    return connections.values().stream().anyMatch(c -> c.availability() == UserSession.Availability.ONLINE)
        ? UserSession.Availability.ONLINE
        : UserSession.Availability.AWAY;
  }

  int connectionCount() {
    return connections.size();
  }

  boolean hasConnections() {
    return !connections.isEmpty();
  }

  /** Each open connection, without copying: the per-delivery path. */
  void forEachConnection(java.util.function.Consumer<ActorRef<UserSession.ToConnection>> action) {
    connections.values().forEach(c -> action.accept(c.ref()));
  }

  Collection<ActorRef<UserSession.ToConnection>> watcherRefs() {
    return List.copyOf(watchers.keySet());
  }
}

package chat.node.room;

import java.util.Collection;

/**
 * Where a room hands each appended timeline entry for live delivery: to the members' user sessions, which
 * know their devices. A fire-and-forget tell; a member that misses it catches up from the journal.
 */
@FunctionalInterface
public interface Fanout {
  void deliver(Collection<String> users, ChatRoom.TimelineEntry entry);
}

package chat.node.room;

import java.util.Collection;

/**
 * How a room reaches its members: through their user sessions, which know their devices. Every call is
 * a fire-and-forget tell per member; a room never waits on its members, whatever their number.
 */
public interface MemberSessions {

  /** A new timeline entry, for live delivery. A member that misses it catches up from the journal. */
  void deliver(Collection<String> users, ChatRoom.TimelineEntry entry);

  /** A member's receipt changed (small rooms only). */
  void receipt(Collection<String> users, ChatRoom.Receipt receipt);

  /** Asks the members' sessions to report how far they received and read this room. */
  void requestProgress(Collection<String> users, String roomId);

  /** {@code user} started or stopped typing. */
  void typing(Collection<String> users, String roomId, String user, boolean active);
}

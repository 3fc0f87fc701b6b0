package chat.node.room;

import java.util.Collection;

/**
 * How a room reaches its members: through their user sessions, which know their devices. Every call is
 * a fire-and-forget tell per member; a room never waits on its members, whatever their number.
 */
public interface MemberSessions {

  /** A new timeline entry, for live delivery. A member that misses it catches up from the journal. */
  void deliver(Collection<String> users, ChatRoom.TimelineEntry entry);

  /**
   * The messages of one journal write, in seq order, for live delivery: what {@link #deliver} does for each,
   * in one message per member where the sessions can take them together. Only posted messages, which
   * change nothing a session journals.
   */
  default void deliverMessages(Collection<String> users, java.util.List<ChatRoom.TimelineEntry> messages) {
    messages.forEach(entry -> deliver(users, entry));
  }

  /**
   * Members' receipts changed (small rooms only). Every member's session gets the same list and passes on
   * the others' receipts: one list for all keeps the room's cost per batch at one tell per member.
   */
  void receipts(Collection<String> users, String roomId, java.util.List<ChatRoom.Receipt> receipts);

  /** Asks the members' sessions to report how far they received and read this room. */
  void requestProgress(Collection<String> users, String roomId);

  /** {@code user} started or stopped typing. */
  void typing(Collection<String> users, String roomId, String user, boolean active);
}

package chat.node.user;

import chat.node.room.ChatRoom;
import java.util.Collection;

/** Builds the {@link UserSession.Membership} of one user from what a room knows. */
public final class Memberships {

  private Memberships() {}

  public static UserSession.Membership of(
      String roomId, ChatRoom.Kind kind, String name, Collection<String> members, String user, long seq,
      boolean member) {
    String peer = kind == ChatRoom.Kind.DM
        ? members.stream().filter(m -> !m.equals(user)).findFirst().orElse(user)
        : null;
    return new UserSession.Membership(roomId, kind, kind == ChatRoom.Kind.DM ? null : name, peer, seq, member);
  }

  /** The membership of {@code user} in the room described by {@code view}. */
  public static UserSession.Membership of(ChatRoom.RoomView view, String user) {
    return of(view.roomId(), view.kind(), view.name(), view.members().keySet(), user,
        view.members().getOrDefault(user, view.lastSeq()), view.members().containsKey(user));
  }
}

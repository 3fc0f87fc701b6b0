package chat.node.user;

import chat.node.room.ChatRoom;
import chat.node.room.MemberSessions;
import java.util.Collection;
import java.util.function.Function;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** The members' {@link UserSession}s, reached through cluster sharding with one tell each. */
public final class ShardedMemberSessions implements MemberSessions {

  private final ClusterSharding sharding;

  public ShardedMemberSessions(ClusterSharding sharding) {
    this.sharding = sharding;
  }

  @Override
  public void deliver(Collection<String> users, ChatRoom.TimelineEntry entry) {
    tellAll(users, new UserSession.Deliver(entry));
  }

  @Override
  public void receipts(Collection<String> users, String roomId, java.util.List<ChatRoom.Receipt> receipts) {
    tellAll(users, new UserSession.DeliverReceipts(roomId, receipts));
  }

  @Override
  public void requestProgress(Collection<String> users, String roomId) {
    tellAll(users, new UserSession.ReportProgress(roomId));
  }

  @Override
  public void typing(Collection<String> users, String roomId, String user, boolean active) {
    tellAll(users, new UserSession.DeliverTyping(roomId, user, active));
  }

  private void tellAll(Collection<String> users, UserSession.Command command) {
    for (String user : users) {
      sharding.entityRefFor(UserSession.ENTITY_KEY, user).tell(command);
    }
  }

  /** How a session reaches a room, for its receipts. */
  public static Function<String, org.apache.pekko.actor.typed.RecipientRef<ChatRoom.Command>> rooms(ClusterSharding sharding) {
    return roomId -> sharding.entityRefFor(ChatRoom.ENTITY_KEY, roomId);
  }
}

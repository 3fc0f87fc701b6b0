package chat.node.user;

import chat.node.room.ChatRoom;
import chat.node.room.MemberSessions;
import java.util.Collection;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The members' {@link UserSession}s, with one tell each: straight to the session when it runs on this node
 * ({@link LocalSessions}), otherwise an envelope to the local shard region, which is all an
 * {@code EntityRef}'s tell does, without building an {@code EntityRef} (and encoding the user id into it)
 * per member and message.
 */
public final class ShardedMemberSessions implements MemberSessions {

  private final ActorRef<ShardingEnvelope<UserSession.Command>> sessions;
  private final LocalSessions local;

  /**
   * {@code sessions}: the user sessions' shard region, as {@link ClusterSharding#init} returns it;
   * {@code local}: the sessions running on this node, which the sessions' entities register with.
   */
  public ShardedMemberSessions(ActorRef<ShardingEnvelope<UserSession.Command>> sessions, LocalSessions local) {
    this.sessions = sessions;
    this.local = local;
  }

  @Override
  public void deliver(Collection<String> users, ChatRoom.TimelineEntry entry) {
    tellAll(users, new UserSession.Deliver(entry));
  }

  @Override
  public void deliverMessages(Collection<String> users, java.util.List<ChatRoom.TimelineEntry> messages) {
    // a write of one message is the common case below the node's capacity: no list to unpack
    tellAll(users, messages.size() == 1 ? new UserSession.Deliver(messages.get(0)) : new UserSession.DeliverMessages(messages));
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
      if (!local.tell(user, command)) {
        sessions.tell(new ShardingEnvelope<>(user, command));
      }
    }
  }

  /** How a session reaches a room, for its receipts. */
  public static Function<String, org.apache.pekko.actor.typed.RecipientRef<ChatRoom.Command>> rooms(ClusterSharding sharding) {
    return roomId -> sharding.entityRefFor(ChatRoom.ENTITY_KEY, roomId);
  }
}

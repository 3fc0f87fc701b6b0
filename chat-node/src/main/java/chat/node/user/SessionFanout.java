package chat.node.user;

import chat.node.room.ChatRoom;
import chat.node.room.Fanout;
import java.util.Collection;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Live fan-out from a room to its members' sessions: one tell per member through sharding, no asks, so
 * a large room never waits on its members.
 */
public final class SessionFanout implements Fanout {

  private final ClusterSharding sharding;

  public SessionFanout(ClusterSharding sharding) {
    this.sharding = sharding;
  }

  @Override
  public void deliver(Collection<String> users, ChatRoom.TimelineEntry entry) {
    UserSession.Deliver deliver = new UserSession.Deliver(entry);
    for (String user : users) {
      sharding.entityRefFor(UserSession.ENTITY_KEY, user).tell(deliver);
    }
  }
}

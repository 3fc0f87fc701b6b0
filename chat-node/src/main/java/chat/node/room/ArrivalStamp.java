package chat.node.room;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;

/**
 * Stamps a room's sends with the moment they leave its mailbox. While an event is being written the
 * journal holds further commands in its stash; the stamp lets the room tell that wait (a hot room's queue)
 * apart from the write itself.
 */
final class ArrivalStamp extends BehaviorInterceptor<ChatRoom.Command, ChatRoom.Command> {

  ArrivalStamp() {
    super(ChatRoom.Command.class);
  }

  @Override
  public Behavior<ChatRoom.Command> aroundReceive(
      TypedActorContext<ChatRoom.Command> ctx, ChatRoom.Command msg, ReceiveTarget<ChatRoom.Command> target) {
    if (msg instanceof ChatRoom.Post post && post.arrivedNanos() == 0) {
      return target.apply(ctx, post.arrived(System.nanoTime()));
    }
    return target.apply(ctx, msg);
  }
}

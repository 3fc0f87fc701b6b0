package chat.node.user;

import chat.node.CborSerializable;
import chat.node.room.ChatRoom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * One user across all their devices and nodes.
 *
 * <p>Journaled: the user's room index (which rooms they belong to), so that listing rooms does not scan
 * rooms. Each entry carries the room seq of the membership change it reflects and only a newer change
 * replaces it, so index updates may arrive twice or out of order (from the gateway and from fan-out)
 * and still converge.
 *
 * <p>Not journaled: the connected devices. Connections register and refresh their registration
 * periodically, so the registry rebuilds itself within one refresh interval after this entity moves or
 * restarts, and a device on a node that died disappears when its actor's termination is observed.
 */
public final class UserSession
    extends EventSourcedBehaviorWithEnforcedReplies<UserSession.Command, UserSession.Event, UserSession.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "UserSession");

  // ---------------------------------------------------------------- commands

  public sealed interface Command extends CborSerializable {}

  /** Records a membership change of this user (idempotent; older changes than the one known are ignored). */
  public record RecordMembership(Membership membership, ActorRef<Done> replyTo) implements Command {}

  public record ListRooms(ActorRef<RoomList> replyTo) implements Command {}

  /** Registers (or refreshes) a connected device; {@code device} receives this user's timeline entries. */
  public record Connect(String connectionId, ActorRef<ChatRoom.TimelineEntry> device) implements Command {}

  public record Disconnect(String connectionId) implements Command {}

  /** A timeline entry of one of the user's rooms, from the room's fan-out. */
  public record Deliver(ChatRoom.TimelineEntry entry) implements Command {}

  private record DeviceTerminated(String connectionId, ActorRef<ChatRoom.TimelineEntry> device) implements Command {}

  // ---------------------------------------------------------------- replies, events, state

  public record RoomList(List<Membership> rooms) implements CborSerializable {}

  /**
   * The user's relation to one room as of room seq {@code seq}. {@code peer} is the other user of a DM;
   * {@code member=false} is kept as a tombstone so that a late, older "joined" cannot resurrect the room.
   */
  public record Membership(
      String roomId, ChatRoom.Kind kind, String name, String peer, long seq, boolean member)
      implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  public record MembershipRecorded(Membership membership) implements Event {}

  public record State(Map<String, Membership> rooms) implements CborSerializable {
    public State {
      rooms = Map.copyOf(rooms);
    }

    boolean isNewer(Membership m) {
      Membership known = rooms.get(m.roomId());
      return known == null || m.seq() > known.seq();
    }

    State with(Membership m) {
      Map<String, Membership> next = new HashMap<>(rooms);
      next.put(m.roomId(), m);
      return new State(next);
    }
  }

  // ---------------------------------------------------------------- behaviour

  private final String userId;
  private final ActorContext<Command> context;
  /** Ephemeral: connection id to device. Rebuilt by the connections' periodic refresh. */
  private final Map<String, ActorRef<ChatRoom.TimelineEntry>> devices = new HashMap<>();

  private UserSession(String userId, PersistenceId persistenceId, ActorContext<Command> context) {
    super(persistenceId, SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.userId = userId;
    this.context = context;
  }

  public static Behavior<Command> create(String userId, PersistenceId persistenceId) {
    return Behaviors.setup(context -> new UserSession(userId, persistenceId, context));
  }

  public static PersistenceId persistenceId(String userId) {
    return PersistenceId.of(ENTITY_KEY.name(), userId);
  }

  @Override
  public State emptyState() {
    return new State(Map.of());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(RecordMembership.class, this::recordMembership)
        .onCommand(ListRooms.class, (s, c) -> Effect().reply(c.replyTo(),
            new RoomList(s.rooms().values().stream().filter(Membership::member).toList())))
        .onCommand(Connect.class, this::connect)
        .onCommand(Disconnect.class, (s, c) -> {
          ActorRef<ChatRoom.TimelineEntry> device = devices.remove(c.connectionId());
          if (device != null) {
            context.unwatch(device);
          }
          return Effect().noReply();
        })
        .onCommand(DeviceTerminated.class, (s, c) -> {
          devices.remove(c.connectionId(), c.device());
          return Effect().noReply();
        })
        .onCommand(Deliver.class, this::deliver)
        .build();
  }

  private ReplyEffect<Event, State> recordMembership(State state, RecordMembership c) {
    if (!state.isNewer(c.membership())) {
      return Effect().reply(c.replyTo(), Done.getInstance());
    }
    return Effect().persist(new MembershipRecorded(c.membership())).thenReply(c.replyTo(), s -> Done.getInstance());
  }

  private ReplyEffect<Event, State> connect(State state, Connect c) {
    ActorRef<ChatRoom.TimelineEntry> known = devices.put(c.connectionId(), c.device());
    if (!c.device().equals(known)) {
      context.watchWith(c.device(), new DeviceTerminated(c.connectionId(), c.device()));
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> deliver(State state, Deliver c) {
    ChatRoom.TimelineEntry entry = c.entry();
    Membership change = membershipChange(entry);
    if (change != null && state.isNewer(change)) {
      // persisting stashes later deliveries, so devices still see entries in seq order
      return Effect().persist(new MembershipRecorded(change)).thenRun(s -> forward(entry)).thenNoReply();
    }
    forward(entry);
    return Effect().noReply();
  }

  private void forward(ChatRoom.TimelineEntry entry) {
    devices.values().forEach(device -> device.tell(entry));
  }

  /** The change to this user's membership that a timeline entry carries, if any. */
  private Membership membershipChange(ChatRoom.TimelineEntry entry) {
    if (entry.event() instanceof ChatRoom.RoomCreated created && created.members().contains(userId)) {
      return Memberships.of(entry.roomId(), created.kind(), created.name(), created.members(), userId, entry.seq(), true);
    }
    if (entry.event() instanceof ChatRoom.MemberJoined joined && joined.user().equals(userId)) {
      // name and kind are not on the event; the gateway's explicit record fills them in
      return null;
    }
    if (entry.event() instanceof ChatRoom.MemberLeft left && left.user().equals(userId)) {
      return new Membership(entry.roomId(), ChatRoom.Kind.GROUP, null, null, entry.seq(), false);
    }
    return null;
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(MembershipRecorded.class, (s, e) -> s.with(e.membership()))
        .build();
  }
}

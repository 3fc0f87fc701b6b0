package chat.node.room;

import chat.node.CborSerializable;
import chat.node.push.PushTags;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One conversation: a group or a DM. Owns membership and the ordered timeline.
 *
 * <p>Every event is a timeline entry and its {@code seq} is its journal sequence number, so seqs are
 * gap-free and strictly increasing by construction and history is a plain range read of the journal.
 * A command is answered only after its event is persisted; a send that is retried with the same
 * clientMsgId is answered with the original seq ({@link DedupWindow}).
 */
public final class ChatRoom
    extends EventSourcedBehaviorWithEnforcedReplies<ChatRoom.Command, ChatRoom.Event, ChatRoom.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "ChatRoom");

  public enum Kind { GROUP, DM }

  public enum Visibility { PRIVATE, PUBLIC }

  /** Why a command was refused. A non-member learns nothing about whether a room exists. */
  public enum Rejection { NOT_FOUND, NOT_MEMBER, ROOM_EXISTS, WRONG_KIND, ROOM_FULL, FORBIDDEN }

  /**
   * What a member may do beyond posting and reading: admins add (in private rooms) and remove members and
   * rename the room; the owner also grants and withdraws admin, hands ownership on, and deletes the room.
   */
  public enum Role { MEMBER, ADMIN, OWNER }

  // ---------------------------------------------------------------- commands

  public sealed interface Command extends CborSerializable {}

  /** Creates this group room; a retry by the same creator is answered with the existing room. */
  public record CreateGroup(
      String requester, String name, Visibility visibility, List<String> members, ActorRef<RoomReply> replyTo)
      implements Command {}

  /** Creates this DM room on first use; the entity id must be {@link RoomIds#dm} of the two users. */
  public record OpenDm(String requester, String peer, ActorRef<RoomReply> replyTo) implements Command {}

  public record Join(String user, ActorRef<RoomReply> replyTo) implements Command {}

  public record AddMember(String requester, String user, ActorRef<RoomReply> replyTo) implements Command {}

  public record Leave(String user, ActorRef<LeaveReply> replyTo) implements Command {}

  /**
   * {@code traceContext}: the W3C trace context of a traced send, stored with the message; null when the
   * send is not traced (always when tracing is off).
   */
  public record Post(
      String sender, String clientMsgId, String body,
      @JsonInclude(JsonInclude.Include.NON_NULL) String traceContext, ActorRef<PostReply> replyTo,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) long arrivedNanos)
      implements Command {

    public Post(String sender, String clientMsgId, String body, String traceContext, ActorRef<PostReply> replyTo) {
      this(sender, clientMsgId, body, traceContext, replyTo, 0);
    }

    public Post(String sender, String clientMsgId, String body, ActorRef<PostReply> replyTo) {
      this(sender, clientMsgId, body, null, replyTo);
    }

    /** Stamped by the room's actor as it takes the command from its mailbox (never sent: 0 on the wire). */
    Post arrived(long nanos) {
      return new Post(sender, clientMsgId, body, traceContext, replyTo, nanos);
    }
  }

  public record GetView(String requester, ActorRef<RoomReply> replyTo) implements Command {}

  /** Checks that {@code requester} may read the timeline and returns how far it goes. */
  public record AuthorizeRead(String requester, ActorRef<ReadReply> replyTo) implements Command {}

  /** From a member's session: how far the member has received (on any device) and read. Not journaled. */
  public record MemberProgress(String user, long delivered, long read) implements Command {}

  /** Receipts; with {@code seq}, also how many other members received and read that item. */
  public record GetReceipts(String requester, Long seq, ActorRef<ReceiptsReply> replyTo) implements Command {}

  /** An owner or admin removes a member (an admin cannot remove the owner or another admin). */
  public record RemoveMember(String requester, String user, ActorRef<RoomReply> replyTo) implements Command {}

  public record Rename(String requester, String name, ActorRef<RoomReply> replyTo) implements Command {}

  /** The owner makes a member an admin or a member again, or hands ownership on (role OWNER). */
  public record SetRole(String requester, String user, Role role, ActorRef<RoomReply> replyTo) implements Command {}

  /** The owner closes the room for good: everyone leaves it; the journal keeps its history. */
  public record Delete(String requester, ActorRef<DeleteReply> replyTo) implements Command {}

  /** For the push projection: who is in the room now, and what it is called. */
  public record GetPushAudience(ActorRef<PushAudience> replyTo) implements Command {}

  /** A member started or stopped typing. Ephemeral: never journaled. */
  public record Typing(String user, boolean active, ActorRef<TypingReply> replyTo) implements Command {}

  private record TypingExpired(String user) implements Command {}

  /**
   * Sharding's stop message (passivation, rebalancing, shutdown): the sends taken up are written and
   * answered first, so a room that moves loses none.
   */
  public enum Stop implements Command { INSTANCE }

  /**
   * Write the sends taken up so far ({@link #pendingPosts}): as the room asked itself
   * ({@link WriteRequests}), or from the backstop timer, which must not count as the request arriving.
   */
  private enum WritePosts implements Command { REQUESTED, BACKSTOP }

  /** A send taken up, waiting for its batch's write; retries of it that came meanwhile wait with it. */
  private record PendingPost(String key, MessagePosted event, List<ActorRef<PostReply>> replyTo,
      RoomTracing.Write traced, long startedNanos) {}

  /**
   * At most this many sends go into one journal write: the journal writes one write as one Cassandra batch,
   * which must stay below the mutation size limit (100 sends of 16 KiB: 1.6 MB).
   */
  static final int MAX_POSTS_PER_WRITE = 100;
  /** Sends waiting for the journal beyond this are not taken up (the old stash's role, and its bound). */
  static final int MAX_PENDING_POSTS = 1000;
  /** Answers one pending send keeps for its retries; more retries of it go unanswered (and time out). */
  static final int MAX_REPLIES_PER_PENDING_POST = 8;
  private static final String WRITE_POSTS_BACKSTOP = "write-posts";
  private static final Duration WRITE_POSTS_BACKSTOP_AFTER = Duration.ofSeconds(1);

  /** The receipt batch interval is over: send what changed meanwhile, if anything. */
  private enum ReceiptsDue implements Command { INSTANCE }

  // ---------------------------------------------------------------- replies

  public sealed interface RoomReply extends CborSerializable {}

  public sealed interface PostReply extends CborSerializable {}

  public sealed interface LeaveReply extends CborSerializable {}

  public sealed interface ReadReply extends CborSerializable {}

  public sealed interface ReceiptsReply extends CborSerializable {}

  public sealed interface TypingReply extends CborSerializable {}

  public sealed interface DeleteReply extends CborSerializable {}

  /** The room is deleted at {@code seq}; {@code formerMembers} were in it. */
  public record Deleted(long seq, List<String> formerMembers) implements DeleteReply {}

  /** {@code members}: member to the seq they joined at; empty when the room does not exist or was deleted. */
  public record PushAudience(Kind kind, String name, Map<String, Long> members) implements CborSerializable {
    static final PushAudience NOBODY = new PushAudience(null, null, Map.of());
  }

  /** Typing was taken (whether or not it was passed on: see the throttle). */
  public record TypingNoted() implements TypingReply {}

  /** A member's positions in this room. */
  public record Receipt(String roomId, String user, long delivered, long read) implements CborSerializable {}

  /**
   * {@code perMember}: every member's receipt (rooms up to {@link #PER_MEMBER_RECEIPTS_MAX} members), else
   * empty. {@code seq}, {@code others}, {@code deliveredTo}, {@code readBy}: the counts for one item
   * among the members other than the requester (null without a seq).
   */
  public record Receipts(List<Receipt> perMember, Long seq, Integer others, Integer deliveredTo, Integer readBy)
      implements ReceiptsReply {}

  public record RoomReady(RoomView view) implements RoomReply {}

  /** {@code RemoveMember} removed the user (a non-member's removal changes nothing and answers RoomReady). */
  public record MemberRemoved(RoomView view) implements RoomReply {}

  public record Accepted(long seq, long ts) implements PostReply {}

  /** A retry of a send the room already accepted: the original seq and time. */
  public record Duplicate(long seq, long ts) implements PostReply {}

  public record Left(long seq) implements LeaveReply {}

  public record ReadAllowed(long lastSeq) implements ReadReply {}

  public record Rejected(Rejection reason)
      implements RoomReply, PostReply, LeaveReply, ReadReply, ReceiptsReply, TypingReply, DeleteReply {}

  /**
   * A room as a member sees it. {@code members} maps each member to the seq at which they (last) joined,
   * which is what a user's room index orders membership changes by.
   */
  public record RoomView(
      String roomId, Kind kind, String name, Visibility visibility, String createdBy, long createdAt,
      Map<String, Long> members, long lastSeq, String owner, Set<String> admins)
      implements CborSerializable {}

  // ---------------------------------------------------------------- events (the timeline)

  /** Logical type names (never class names) keep the journal readable after refactorings. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = RoomCreated.class, name = "room-created"),
    @JsonSubTypes.Type(value = MemberJoined.class, name = "member-joined"),
    @JsonSubTypes.Type(value = MemberLeft.class, name = "member-left"),
    @JsonSubTypes.Type(value = MessagePosted.class, name = "message-posted"),
    @JsonSubTypes.Type(value = RoomRenamed.class, name = "room-renamed"),
    @JsonSubTypes.Type(value = RoleChanged.class, name = "role-changed"),
    @JsonSubTypes.Type(value = RoomDeleted.class, name = "room-deleted"),
  })
  public sealed interface Event extends CborSerializable {
    long ts();
  }

  public record RoomCreated(
      Kind kind, String name, Visibility visibility, String createdBy, List<String> members, long ts)
      implements Event {}

  public record MemberJoined(String user, String by, long ts) implements Event {}

  public record MemberLeft(String user, String by, long ts) implements Event {}

  /**
   * {@code traceContext}: the W3C trace context of the send that posted it (traceparent, then {@code ;} and
   * tracestate if any), for the fan-out and the push projection to continue its trace. Null, and then not
   * written at all, when the send was not traced; events from before tracing have none.
   */
  public record MessagePosted(
      String sender, String clientMsgId, String body, long ts,
      @JsonInclude(JsonInclude.Include.NON_NULL) String traceContext)
      implements Event {

    public MessagePosted(String sender, String clientMsgId, String body, long ts) {
      this(sender, clientMsgId, body, ts, null);
    }
  }

  public record RoomRenamed(String name, String by, long ts) implements Event {}

  /** {@code role} OWNER hands ownership on; the previous owner becomes an admin. */
  public record RoleChanged(String user, Role role, String by, long ts) implements Event {}

  public record RoomDeleted(String by, long ts) implements Event {}

  /** An event with its place in the room: what live fan-out and history carry. */
  public record TimelineEntry(String roomId, long seq, Event event) implements CborSerializable {}

  // ---------------------------------------------------------------- state

  public sealed interface State extends CborSerializable {}

  /** No RoomCreated yet. */
  public record Empty() implements State {}

  public record Active(
      Kind kind, String name, Visibility visibility, String createdBy, long createdAt,
      Map<String, Long> members, long lastSeq, DedupWindow dedup, String owner, Set<String> admins)
      implements State {

    public Active {
      members = Map.copyOf(members);
      // snapshots written before rooms had roles carry neither field: the creator owned the room
      admins = admins == null ? Set.of() : Set.copyOf(admins);
      if (owner == null && kind != Kind.DM) {
        owner = createdBy;
      }
    }

    boolean isMember(String user) {
      return members.containsKey(user);
    }

    Role roleOf(String user) {
      return user.equals(owner) ? Role.OWNER : admins.contains(user) ? Role.ADMIN : Role.MEMBER;
    }

    boolean isAdmin(String user) {
      return isMember(user) && roleOf(user) != Role.MEMBER;
    }

    Active withMember(String user, long seq) {
      Map<String, Long> next = new HashMap<>(members);
      next.put(user, seq);
      return new Active(kind, name, visibility, createdBy, createdAt, next, seq, dedup, owner, admins);
    }

    Active withoutMember(String user, long seq) {
      Map<String, Long> next = new HashMap<>(members);
      next.remove(user);
      Set<String> nextAdmins = new HashSet<>(admins);
      nextAdmins.remove(user);
      return new Active(kind, name, visibility, createdBy, createdAt, next, seq, dedup, owner, nextAdmins);
    }

    Active withMessage(MessagePosted m) {
      long seq = lastSeq + 1;
      return new Active(kind, name, visibility, createdBy, createdAt, members, seq,
          dedup.record(m.sender(), m.clientMsgId(), seq, m.ts()), owner, admins);
    }

    Active renamed(String newName) {
      return new Active(kind, newName, visibility, createdBy, createdAt, members, lastSeq + 1, dedup, owner, admins);
    }

    Active withRole(String user, Role role) {
      Set<String> nextAdmins = new HashSet<>(admins);
      String nextOwner = owner;
      switch (role) {
        case ADMIN -> nextAdmins.add(user);
        case MEMBER -> nextAdmins.remove(user);
        case OWNER -> {
          nextAdmins.add(owner);
          nextAdmins.remove(user);
          nextOwner = user;
        }
      }
      return new Active(kind, name, visibility, createdBy, createdAt, members, lastSeq + 1, dedup, nextOwner, nextAdmins);
    }

    RoomView view(String roomId) {
      return new RoomView(roomId, kind, name, visibility, createdBy, createdAt, new TreeMap<>(members), lastSeq,
          owner, new TreeSet<>(admins));
    }
  }

  /** Deleted by its owner: nothing more happens in it; the journal keeps what was. */
  public record Closed(long lastSeq) implements State {}

  // ---------------------------------------------------------------- behaviour

  /** Rooms up to this size push every member's receipt changes to all members; larger ones only aggregate. */
  public static final int PER_MEMBER_RECEIPTS_MAX = 32;
  /** Receipt changes that follow a sent one within this time wait and go out together. */
  public static final Duration RECEIPT_BATCH_INTERVAL = Duration.ofMillis(500);
  private static final String RECEIPTS_DUE = "receipts-due";
  /** Typing indicators are passed on in rooms up to this size. */
  public static final int TYPING_MAX_MEMBERS = 100;
  /** A typing indicator without a refresh or stop ends after this long. */
  public static final Duration TYPING_TTL = Duration.ofSeconds(6);
  /** A member's "typing" is passed on at most once per this interval; refreshes in between only extend it. */
  public static final Duration TYPING_THROTTLE = Duration.ofSeconds(3);

  private final String roomId;
  private final MemberSessions members;
  private final RoomSettings settings;
  /**
   * Receipts, not journaled: the members' sessions journal their own read markers and cursors, and
   * re-report them when asked ({@link #requestProgressOnce}), so this is a cache that rebuilds itself.
   */
  private final Map<String, Receipt> receipts = new HashMap<>();
  /** Receipts changed since the last batch went out, by user (small rooms only). */
  private final Map<String, Receipt> unsentReceipts = new java.util.LinkedHashMap<>();
  /** A batch went out less than {@link #RECEIPT_BATCH_INTERVAL} ago: changes wait for {@link ReceiptsDue}. */
  private boolean receiptsHeld;
  /** Whether this incarnation asked the members' sessions for their progress yet. */
  private boolean progressRequested;
  /** Each member's latest message since the room started: reading one's own message is no news. */
  private final Map<String, Long> ownLatest = new HashMap<>();
  /** Members typing now, with when their "typing" was last passed on. */
  private final Map<String, Long> typing = new HashMap<>();
  private final TimerScheduler<Command> timers;
  private final ActorRef<Command> self;
  /**
   * Sends taken up and not yet written, in order. They go to the journal together in one write (a group
   * commit): a room writes one batch at a time, so a busy room would otherwise be bounded by one message
   * per journal round trip.
   */
  private final List<PendingPost> pendingPosts = new ArrayList<>();
  /** The same sends by sender and clientMsgId, so that a retry finds its pending send at once. */
  private final Map<String, PendingPost> pendingByKey = new HashMap<>();
  private final WriteRequests writeRequests = new WriteRequests(WRITE_POSTS_BACKSTOP_AFTER, System::nanoTime);
  private long droppedPosts;
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ChatRoom.class);
  private final RoomTimings timings;
  private final RoomTracing tracing;

  private ChatRoom(
      String roomId, PersistenceId persistenceId, MemberSessions members, RoomSettings settings,
      RoomTimings timings, RoomTracing tracing, TimerScheduler<Command> timers, ActorRef<Command> self) {
    super(persistenceId, SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.self = self;
    this.roomId = roomId;
    this.members = members;
    this.settings = settings;
    this.timings = timings;
    this.timers = timers;
    this.tracing = tracing;
  }

  public static Behavior<Command> create(
      String roomId, PersistenceId persistenceId, MemberSessions members, RoomSettings settings) {
    return create(roomId, persistenceId, members, settings, RoomTimings.NONE, RoomTracing.OFF);
  }

  public static Behavior<Command> create(
      String roomId, PersistenceId persistenceId, MemberSessions members, RoomSettings settings, RoomTracing tracing) {
    return create(roomId, persistenceId, members, settings, RoomTimings.NONE, tracing);
  }

  public static Behavior<Command> create(
      String roomId, PersistenceId persistenceId, MemberSessions members, RoomSettings settings,
      RoomTimings timings, RoomTracing tracing) {
    // stamps each send as it leaves the mailbox, before the journal's stash can hold it back
    return Behaviors.intercept(ArrivalStamp::new, Behaviors.setup(context -> Behaviors.withTimers(
        timers -> new ChatRoom(roomId, persistenceId, members, settings, timings, tracing, timers, context.getSelf()))));
  }

  public static PersistenceId persistenceId(String roomId) {
    return PersistenceId.of(ENTITY_KEY.name(), roomId);
  }

  @Override
  public State emptyState() {
    return new Empty();
  }

  /** Messages carry the room's push tag, so the push projection finds them (and only them) by tag. */
  @Override
  public Set<String> tagsFor(Event event) {
    return settings.pushTags() > 0 && event instanceof MessagePosted
        ? Set.of(PushTags.forRoom(roomId, settings.pushTags()))
        : Set.of();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Snapshots bound recovery time. Events are never deleted: the journal is the timeline.
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> builder = newCommandHandlerWithReplyBuilder();
    refuseOutsiders(builder.forStateType(Empty.class)
        .onCommand(CreateGroup.class, this::create)
        .onCommand(OpenDm.class, this::openDm)
        .onCommand(Join.class, (s, c) -> Effect().reply(c.replyTo(), reject(isDm() ? Rejection.WRONG_KIND : Rejection.NOT_FOUND))));
    refuseOutsiders(builder.forStateType(Closed.class)
        .onCommand(CreateGroup.class, (s, c) -> Effect().reply(c.replyTo(), reject(Rejection.ROOM_EXISTS)))
        .onCommand(OpenDm.class, (s, c) -> Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER)))
        .onCommand(Join.class, (s, c) -> Effect().reply(c.replyTo(), reject(Rejection.NOT_FOUND))));
    builder.forStateType(Active.class)
        .onCommand(CreateGroup.class, this::createAgain)
        .onCommand(OpenDm.class, this::openDmAgain)
        .onCommand(Join.class, this::join)
        .onCommand(AddMember.class, this::addMember)
        .onCommand(Leave.class, this::leave)
        .onCommand(Post.class, this::post)
        .onCommand(WritePosts.class, (s, c) -> writePosts(s, c))
        .onCommand(Stop.class, (s, c) -> stop(s))
        .onCommand(GetPushAudience.class, (s, c) -> Effect().reply(c.replyTo(), new PushAudience(s.kind(), s.name(), s.members())))
        .onCommand(GetView.class, (s, c) -> Effect().reply(c.replyTo(),
            s.isMember(c.requester()) ? new RoomReady(s.view(roomId)) : reject(Rejection.NOT_MEMBER)))
        .onCommand(AuthorizeRead.class, (s, c) -> Effect().reply(c.replyTo(),
            s.isMember(c.requester()) ? new ReadAllowed(s.lastSeq()) : reject(Rejection.NOT_MEMBER)))
        .onCommand(MemberProgress.class, this::memberProgress)
        .onCommand(Typing.class, this::typing)
        .onCommand(ReceiptsDue.class, (s, c) -> {
          sendReceipts(s);
          return Effect().noReply();
        })
        .onCommand(TypingExpired.class, (s, c) -> {
          if (typing.remove(c.user()) != null) {
            tellTyping(s, c.user(), false);
          }
          return Effect().noReply();
        })
        .onCommand(GetReceipts.class, (s, c) -> {
          if (!s.isMember(c.requester())) {
            return Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER));
          }
          requestProgressOnce(s);
          return Effect().reply(c.replyTo(), receipts(s, c));
        })
        .onCommand(RemoveMember.class, this::removeMember)
        .onCommand(Rename.class, this::rename)
        .onCommand(SetRole.class, this::setRole)
        .onCommand(Delete.class, this::delete);
    return builder.build();
  }

  /** A room that does not exist (yet, or any more) answers members-only commands as to a stranger. */
  private <S extends State> void refuseOutsiders(
      org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState<Command, Event, S, State> b) {
    b.onCommand(AddMember.class, (s, c) -> Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER)))
        .onCommand(Leave.class, (s, c) -> Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER)))
        .onCommand(Post.class, (s, c) -> Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER)))
        .onCommand(GetPushAudience.class, (s, c) -> Effect().reply(c.replyTo(), PushAudience.NOBODY))
        .onCommand(GetView.class, (s, c) -> Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER)))
        .onCommand(AuthorizeRead.class, (s, c) -> Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER)))
        .onCommand(MemberProgress.class, (s, c) -> Effect().noReply())
        .onCommand(GetReceipts.class, (s, c) -> Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER)))
        .onCommand(Typing.class, (s, c) -> Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER)))
        .onCommand(TypingExpired.class, (s, c) -> Effect().noReply())
        .onCommand(WritePosts.class, (s, c) -> {
          if (c == WritePosts.REQUESTED) {
            writeRequests.arrived();
          }
          return Effect().noReply(); // only a live room takes up sends
        })
        .onCommand(Stop.class, (s, c) -> Effect().stop().thenNoReply())
        .onCommand(ReceiptsDue.class, (s, c) -> {
          sendReceipts(s); // nothing to send outside a live room: forgets what waited
          return Effect().noReply();
        })
        .onCommand(RemoveMember.class, (s, c) -> Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER)))
        .onCommand(Rename.class, (s, c) -> Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER)))
        .onCommand(SetRole.class, (s, c) -> Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER)))
        .onCommand(Delete.class, (s, c) -> Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER)));
  }

  /** Shared checks of the administration commands: a group, and the requester a member. */
  private Rejection administrable(Active state, String requester) {
    if (!state.isMember(requester)) {
      return Rejection.NOT_MEMBER;
    }
    return state.kind() == Kind.DM ? Rejection.WRONG_KIND : null;
  }

  private ReplyEffect<Event, State> removeMember(Active state, RemoveMember c) {
    Rejection refused = administrable(state, c.requester());
    if (refused != null) {
      return Effect().reply(c.replyTo(), reject(refused));
    }
    Role requester = state.roleOf(c.requester());
    if (requester == Role.MEMBER) {
      return Effect().reply(c.replyTo(), reject(Rejection.FORBIDDEN));
    }
    if (!state.isMember(c.user())) {
      return Effect().reply(c.replyTo(), new RoomReady(state.view(roomId)));
    }
    Role target = state.roleOf(c.user());
    if (target == Role.OWNER || (target == Role.ADMIN && requester != Role.OWNER)) {
      return Effect().reply(c.replyTo(), reject(Rejection.FORBIDDEN));
    }
    return persistAndPublish(state, new MemberLeft(c.user(), c.requester(), now()), c.replyTo(),
        s -> new MemberRemoved(active(s).view(roomId)));
  }

  private ReplyEffect<Event, State> rename(Active state, Rename c) {
    Rejection refused = administrable(state, c.requester());
    if (refused == null && !state.isAdmin(c.requester())) {
      refused = Rejection.FORBIDDEN;
    }
    if (refused != null) {
      return Effect().reply(c.replyTo(), reject(refused));
    }
    if (c.name().equals(state.name())) {
      return Effect().reply(c.replyTo(), new RoomReady(state.view(roomId)));
    }
    return persistAndPublish(state, new RoomRenamed(c.name(), c.requester(), now()), c.replyTo(),
        s -> new RoomReady(active(s).view(roomId)));
  }

  private ReplyEffect<Event, State> setRole(Active state, SetRole c) {
    Rejection refused = administrable(state, c.requester());
    if (refused == null && state.roleOf(c.requester()) != Role.OWNER) {
      refused = Rejection.FORBIDDEN;
    }
    if (refused == null && !state.isMember(c.user())) {
      refused = Rejection.NOT_MEMBER;
    }
    if (refused != null) {
      return Effect().reply(c.replyTo(), reject(refused));
    }
    if (state.roleOf(c.user()) == c.role() || c.user().equals(c.requester())) {
      // nothing changes (the owner's own role only changes by handing ownership to someone else)
      return Effect().reply(c.replyTo(), new RoomReady(state.view(roomId)));
    }
    return persistAndPublish(state, new RoleChanged(c.user(), c.role(), c.requester(), now()), c.replyTo(),
        s -> new RoomReady(active(s).view(roomId)));
  }

  private ReplyEffect<Event, State> delete(Active state, Delete c) {
    Rejection refused = administrable(state, c.requester());
    if (refused == null && state.roleOf(c.requester()) != Role.OWNER) {
      refused = Rejection.FORBIDDEN;
    }
    if (refused != null) {
      return Effect().reply(c.replyTo(), reject(refused));
    }
    List<String> formerMembers = List.copyOf(new TreeSet<>(state.members().keySet()));
    var deleted = new RoomDeleted(c.requester(), now());
    // sends still pending go first, as in persistAndPublish
    if (pendingPosts.size() > MAX_POSTS_PER_WRITE) {
      return waitForPendingPosts();
    }
    List<PendingPost> posts = takePending(MAX_POSTS_PER_WRITE);
    List<Event> events = eventsThen(posts, deleted);
    return Effect().persist(events)
        .thenRun(s -> completed(state, posts))
        .thenRun(s -> members.deliver(formerMembers, new TimelineEntry(roomId, ((Closed) s).lastSeq(), deleted)))
        .thenReply(c.replyTo(), s -> new Deleted(((Closed) s).lastSeq(), formerMembers));
  }

  private ReplyEffect<Event, State> create(Empty state, CreateGroup c) {
    if (isDm()) {
      return Effect().reply(c.replyTo(), reject(Rejection.WRONG_KIND));
    }
    Set<String> members = new LinkedHashSet<>();
    members.add(c.requester());
    members.addAll(c.members());
    if (members.size() > settings.maxMembers()) {
      return Effect().reply(c.replyTo(), reject(Rejection.ROOM_FULL));
    }
    var created = new RoomCreated(Kind.GROUP, c.name(), c.visibility(), c.requester(), List.copyOf(members), now());
    return persistAndPublish(created, c.replyTo(), s -> new RoomReady(active(s).view(roomId)));
  }

  private ReplyEffect<Event, State> openDm(Empty state, OpenDm c) {
    if (!roomId.equals(RoomIds.dm(c.requester(), c.peer()))) {
      return Effect().reply(c.replyTo(), reject(Rejection.WRONG_KIND));
    }
    List<String> members = c.requester().equals(c.peer())
        ? List.of(c.requester())
        : List.of(c.requester(), c.peer());
    var created = new RoomCreated(Kind.DM, null, Visibility.PRIVATE, c.requester(), members, now());
    return persistAndPublish(created, c.replyTo(), s -> new RoomReady(active(s).view(roomId)));
  }

  private ReplyEffect<Event, State> createAgain(Active state, CreateGroup c) {
    if (isDm()) {
      return Effect().reply(c.replyTo(), reject(Rejection.WRONG_KIND));
    }
    boolean retryOfOwnCreate = state.kind() == Kind.GROUP && state.createdBy().equals(c.requester());
    return Effect().reply(c.replyTo(), retryOfOwnCreate ? new RoomReady(state.view(roomId)) : reject(Rejection.ROOM_EXISTS));
  }

  private ReplyEffect<Event, State> openDmAgain(Active state, OpenDm c) {
    return Effect().reply(c.replyTo(),
        state.isMember(c.requester()) ? new RoomReady(state.view(roomId)) : reject(Rejection.NOT_MEMBER));
  }

  private ReplyEffect<Event, State> join(Active state, Join c) {
    if (state.kind() == Kind.DM) {
      return Effect().reply(c.replyTo(), reject(Rejection.WRONG_KIND));
    }
    if (state.isMember(c.user())) {
      return Effect().reply(c.replyTo(), new RoomReady(state.view(roomId)));
    }
    if (state.visibility() != Visibility.PUBLIC) {
      // a private room is indistinguishable from a missing one to those outside it
      return Effect().reply(c.replyTo(), reject(Rejection.NOT_FOUND));
    }
    if (state.members().size() >= settings.maxMembers()) {
      return Effect().reply(c.replyTo(), reject(Rejection.ROOM_FULL));
    }
    return persistAndPublish(state, new MemberJoined(c.user(), c.user(), now()), c.replyTo(),
        s -> new RoomReady(active(s).view(roomId)));
  }

  private ReplyEffect<Event, State> addMember(Active state, AddMember c) {
    if (!state.isMember(c.requester())) {
      return Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER));
    }
    if (state.kind() == Kind.DM) {
      return Effect().reply(c.replyTo(), reject(Rejection.WRONG_KIND));
    }
    if (state.visibility() == Visibility.PRIVATE && !state.isAdmin(c.requester())) {
      // in a public room anyone could join anyway; a private room's door is kept by its admins
      return Effect().reply(c.replyTo(), reject(Rejection.FORBIDDEN));
    }
    if (state.isMember(c.user())) {
      return Effect().reply(c.replyTo(), new RoomReady(state.view(roomId)));
    }
    if (state.members().size() >= settings.maxMembers()) {
      return Effect().reply(c.replyTo(), reject(Rejection.ROOM_FULL));
    }
    return persistAndPublish(state, new MemberJoined(c.user(), c.requester(), now()), c.replyTo(),
        s -> new RoomReady(active(s).view(roomId)));
  }

  private ReplyEffect<Event, State> leave(Active state, Leave c) {
    if (!state.isMember(c.user())) {
      return Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER));
    }
    if (state.kind() == Kind.DM) {
      return Effect().reply(c.replyTo(), reject(Rejection.WRONG_KIND));
    }
    if (state.roleOf(c.user()) == Role.OWNER) {
      // a room always has an owner: hand ownership on first, or delete the room
      return Effect().reply(c.replyTo(), reject(Rejection.FORBIDDEN));
    }
    return persistAndPublish(state, new MemberLeft(c.user(), c.user(), now()), c.replyTo(),
        s -> new Left(active(s).lastSeq()));
  }

  private ReplyEffect<Event, State> post(Active state, Post c) {
    if (c.arrivedNanos() != 0) {
      timings.queued(System.nanoTime() - c.arrivedNanos());
    }
    if (!state.isMember(c.sender())) {
      return Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER));
    }
    var earlier = state.dedup().lookup(c.sender(), c.clientMsgId());
    if (earlier.isPresent()) {
      return Effect().reply(c.replyTo(), new Duplicate(earlier.get().seq(), earlier.get().ts()));
    }
    String key = DedupWindow.key(c.sender(), c.clientMsgId());
    PendingPost retried = pendingByKey.get(key);
    if (retried != null) {
      // a retry of a send not written yet: answered with it (a client retrying without end gets no more
      // answers than this; its ask times out and it retries later)
      if (retried.replyTo().size() < MAX_REPLIES_PER_PENDING_POST) {
        retried.replyTo().add(c.replyTo());
      }
      requestWrite(); // the retry may mean the request for it was lost
      return Effect().noReply();
    }
    var posted = new MessagePosted(c.sender(), c.clientMsgId(), c.body(), now(), c.traceContext());
    // traced: chat.persist runs from here to the end of the journal write, before fan-out and answer
    RoomTracing.Write traced = c.traceContext() == null ? null
        : tracing.persisting(c.traceContext(), roomId, c.sender(), c.clientMsgId());
    if (pendingPosts.size() >= MAX_PENDING_POSTS) {
      // the journal is far behind: no answer, so the client's ask times out and it retries later
      if (droppedPosts++ % MAX_PENDING_POSTS == 0) {
        log.warn("room {}: {} sends waiting for the journal; {} dropped so far (their senders retry)",
            roomId, pendingPosts.size(), droppedPosts);
      }
      return Effect().noReply();
    }
    long now = System.nanoTime();
    PendingPost pending = new PendingPost(key, posted, new ArrayList<>(List.of(c.replyTo())), traced, now);
    pendingPosts.add(pending);
    pendingByKey.put(key, pending);
    if (pendingPosts.size() == 1) {
      startWriteBackstop();
    }
    // behind whatever is in the mailbox now: the sends among it join this write
    requestWrite();
    return Effect().noReply();
  }

  /** Writes the pending sends as one batch, then fans each out and answers it, in order. */
  private ReplyEffect<Event, State> writePosts(Active state, WritePosts c) {
    if (c == WritePosts.REQUESTED) {
      writeRequests.arrived();
    }
    if (pendingPosts.isEmpty()) {
      return Effect().noReply(); // another command's write took them
    }
    List<PendingPost> batch = takePending(MAX_POSTS_PER_WRITE);
    if (!pendingPosts.isEmpty()) {
      requestWrite();
      startWriteBackstop();
    }
    return Effect().persist(batch.stream().<Event>map(PendingPost::event).toList())
        .thenRun(s -> completed(state, batch))
        .thenNoReply()
        .thenUnstashAll(); // commands that waited for the pending sends to shrink (persistAndPublish)
  }

  /** More sends pending than one write takes: the command waits until they are written (in order). */
  private ReplyEffect<Event, State> waitForPendingPosts() {
    requestWrite();
    return Effect().stash();
  }

  /** Asks itself to write the pending sends, unless that request is on its way ({@link WriteRequests}). */
  private void requestWrite() {
    if (writeRequests.shouldSend()) {
      self.tell(WritePosts.REQUESTED);
    }
  }

  /** A request the journal's full stash dropped must not leave the sends waiting for good. */
  private void startWriteBackstop() {
    timers.startSingleTimer(WRITE_POSTS_BACKSTOP, WritePosts.BACKSTOP, WRITE_POSTS_BACKSTOP_AFTER);
  }

  private ReplyEffect<Event, State> stop(Active state) {
    if (pendingPosts.isEmpty()) {
      return Effect().stop().thenNoReply();
    }
    List<PendingPost> batch = takePending(MAX_POSTS_PER_WRITE);
    if (!pendingPosts.isEmpty()) {
      self.tell(Stop.INSTANCE); // more than one write's worth: the rest in the next, then stop
      return Effect().persist(batch.stream().<Event>map(PendingPost::event).toList())
          .thenRun(s -> completed(state, batch))
          .thenNoReply();
    }
    return Effect().persist(batch.stream().<Event>map(PendingPost::event).toList())
        .thenRun(s -> completed(state, batch))
        .thenStop()
        .thenNoReply();
  }

  /** The pending sends' events, then {@code last}: one write, in the order the room took them up. */
  private static List<Event> eventsThen(List<PendingPost> posts, Event last) {
    List<Event> events = new ArrayList<>(posts.size() + 1);
    posts.forEach(post -> events.add(post.event()));
    events.add(last);
    return events;
  }

  /** The oldest pending sends, at most {@code max}, no longer pending. */
  private List<PendingPost> takePending(int max) {
    List<PendingPost> taken = List.copyOf(pendingPosts.subList(0, Math.min(max, pendingPosts.size())));
    pendingPosts.subList(0, taken.size()).clear();
    taken.forEach(post -> pendingByKey.remove(post.key()));
    return taken;
  }

  /**
   * The sends of {@code batch} are written, as the events right after {@code before}'s last: each is fanned
   * out to the members it was taken up for, and answered.
   */
  private void completed(Active before, List<PendingPost> batch) {
    long now = System.nanoTime();
    long seq = before.lastSeq();
    List<TimelineEntry> written = new ArrayList<>(batch.size());
    for (PendingPost post : batch) {
      seq++;
      timings.persisted(now - post.startedNanos());
      if (post.traced() != null) {
        post.traced().written(seq);
      }
      written.add(new TimelineEntry(roomId, seq, post.event()));
      published(post.event(), seq);
    }
    // the whole write in one message per member, and every sender answered after the fan-out went out
    if (!written.isEmpty()) {
      members.deliverMessages(before.members().keySet(), written);
    }
    for (int i = 0; i < batch.size(); i++) {
      PendingPost post = batch.get(i);
      var accepted = new Accepted(written.get(i).seq(), post.event().ts());
      post.replyTo().forEach(replyTo -> replyTo.tell(accepted));
    }
  }

  private ReplyEffect<Event, State> memberProgress(Active state, MemberProgress c) {
    if (!state.isMember(c.user())) {
      return Effect().noReply();
    }
    Receipt known = receipts.get(c.user());
    long delivered = Math.max(Math.max(c.delivered(), c.read()), known == null ? 0 : known.delivered());
    long read = Math.max(c.read(), known == null ? 0 : known.read());
    Receipt next = new Receipt(roomId, c.user(), Math.min(delivered, state.lastSeq()), Math.min(read, state.lastSeq()));
    if (!next.equals(known)) {
      receipts.put(c.user(), next);
      boolean onlyOwnMessage = next.read() == next.delivered() && Long.valueOf(next.read()).equals(ownLatest.get(c.user()));
      if (state.members().size() <= PER_MEMBER_RECEIPTS_MAX && !onlyOwnMessage) {
        unsentReceipts.put(c.user(), next);
        if (!receiptsHeld) {
          sendReceipts(state);
        }
      }
    }
    return Effect().noReply();
  }

  /**
   * Sends the receipts that changed since the last batch to every member, and holds further changes for
   * {@link #RECEIPT_BATCH_INTERVAL}: in a busy room every member acknowledges about once a second, and a
   * receipt per change would cost each member a frame per other member per second.
   */
  private void sendReceipts(State state) {
    if (unsentReceipts.isEmpty() || !(state instanceof Active room)) {
      unsentReceipts.clear();
      receiptsHeld = false;
      return;
    }
    unsentReceipts.keySet().retainAll(room.members().keySet());
    if (unsentReceipts.isEmpty()) {
      receiptsHeld = false; // all of them were of members who left meanwhile
      return;
    }
    members.receipts(room.members().keySet(), roomId, List.copyOf(unsentReceipts.values()));
    unsentReceipts.clear();
    receiptsHeld = true;
    timers.startSingleTimer(RECEIPTS_DUE, ReceiptsDue.INSTANCE, RECEIPT_BATCH_INTERVAL);
  }

  /**
   * Passes "typing" on to the other members at most once per {@link #TYPING_THROTTLE} per member, keeps
   * it alive for {@link #TYPING_TTL} after the last start, and passes on the stop (or the expiry).
   */
  private ReplyEffect<Event, State> typing(Active state, Typing c) {
    if (!state.isMember(c.user())) {
      return Effect().reply(c.replyTo(), reject(Rejection.NOT_MEMBER));
    }
    if (state.members().size() > TYPING_MAX_MEMBERS) {
      return Effect().reply(c.replyTo(), new TypingNoted());
    }
    String timer = "typing-" + c.user();
    if (c.active()) {
      long now = System.currentTimeMillis();
      Long lastPassedOn = typing.get(c.user());
      if (lastPassedOn == null || now - lastPassedOn >= TYPING_THROTTLE.toMillis()) {
        typing.put(c.user(), now);
        tellTyping(state, c.user(), true);
      }
      timers.startSingleTimer(timer, new TypingExpired(c.user()), TYPING_TTL);
    } else if (typing.remove(c.user()) != null) {
      timers.cancel(timer);
      tellTyping(state, c.user(), false);
    }
    return Effect().reply(c.replyTo(), new TypingNoted());
  }

  private void tellTyping(State state, String user, boolean active) {
    if (state instanceof Active room) {
      List<String> others = room.members().keySet().stream().filter(m -> !m.equals(user)).toList();
      members.typing(others, roomId, user, active);
    }
  }

  private void requestProgressOnce(Active state) {
    if (!progressRequested) {
      progressRequested = true;
      members.requestProgress(state.members().keySet(), roomId);
    }
  }

  private Receipts receipts(Active state, GetReceipts c) {
    receipts.keySet().retainAll(state.members().keySet());
    List<Receipt> perMember = state.members().size() <= PER_MEMBER_RECEIPTS_MAX
        ? state.members().keySet().stream().sorted()
            .map(user -> receipts.getOrDefault(user, new Receipt(roomId, user, 0, 0)))
            .toList()
        : List.of();
    if (c.seq() == null) {
      return new Receipts(perMember, null, null, null, null);
    }
    int others = state.members().size() - (state.isMember(c.requester()) ? 1 : 0);
    int deliveredTo = 0;
    int readBy = 0;
    for (Receipt r : receipts.values()) {
      if (!r.user().equals(c.requester())) {
        deliveredTo += r.delivered() >= c.seq() ? 1 : 0;
        readBy += r.read() >= c.seq() ? 1 : 0;
      }
    }
    return new Receipts(perMember, c.seq(), others, deliveredTo, readBy);
  }

  /** After recovery the receipt cache is empty: the members' sessions report their positions again. */
  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          // after a journal failure the behaviour restarts with its timers cancelled but this object kept:
          // what waited for a timer would wait for good
          receiptsHeld = false;
          unsentReceipts.clear();
          typing.clear();
          writeRequests.arrived();
          if (!pendingPosts.isEmpty()) {
            requestWrite();
          }
          // small rooms push receipts, so they need them from the start; a large room would wake every
          // member's session each time it starts, so it asks only once someone asks for receipts
          if (state instanceof Active active && active.members().size() <= PER_MEMBER_RECEIPTS_MAX) {
            requestProgressOnce(active);
          }
        })
        .build();
  }

  /**
   * Persist, then hand the entry to fan-out, then answer: an answer always means "durably stored". Sends
   * still pending go first, in the same write, so the journal keeps the order in which the room took
   * commands up.
   */
  private <R> ReplyEffect<Event, State> persistAndPublish(
      Active state, Event event, ActorRef<R> replyTo, java.util.function.Function<State, R> reply) {
    if (pendingPosts.size() > MAX_POSTS_PER_WRITE) {
      return waitForPendingPosts();
    }
    List<PendingPost> posts = takePending(MAX_POSTS_PER_WRITE);
    List<Event> events = eventsThen(posts, event);
    long started = System.nanoTime();
    return Effect().persist(events)
        .thenRun(s -> {
          completed(state, posts);
          timings.persisted(System.nanoTime() - started);
          publish(active(s), event, active(s).lastSeq());
        })
        .thenReply(replyTo, reply::apply);
  }

  /** A room's first event: nothing can be pending before it. */
  private <R> ReplyEffect<Event, State> persistAndPublish(
      Event event, ActorRef<R> replyTo, java.util.function.Function<State, R> reply) {
    long started = System.nanoTime();
    return Effect().persist(event)
        .thenRun(s -> {
          timings.persisted(System.nanoTime() - started);
          publish(active(s), event, active(s).lastSeq());
        })
        .thenReply(replyTo, reply::apply);
  }

  private void publish(Active state, Event event, long seq) {
    Collection<String> recipients = state.members().keySet();
    if (event instanceof MemberLeft left) {
      // the leaver's other devices must learn it too
      recipients = new ArrayList<>(recipients);
      recipients.add(left.user());
    }
    members.deliver(recipients, new TimelineEntry(roomId, seq, event));
    published(event, seq);
  }

  /** What the room keeps about an event its members were sent: receipts, latest own message, typing. */
  private void published(Event event, long seq) {
    if (event instanceof MemberLeft left) {
      receipts.remove(left.user());
      ownLatest.remove(left.user());
    } else if (event instanceof MessagePosted posted) {
      ownLatest.put(posted.sender(), seq);
      // the message ends its sender's typing; clients clear the indicator when it arrives
      if (typing.remove(posted.sender()) != null) {
        timers.cancel("typing-" + posted.sender());
      }
    }
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    var builder = newEventHandlerBuilder();
    builder.forStateType(Empty.class)
        .onEvent(RoomCreated.class, (s, e) -> {
          Map<String, Long> members = new HashMap<>();
          e.members().forEach(m -> members.put(m, 1L));
          // a DM has no owner: neither party can administer it
          String owner = e.kind() == Kind.DM ? null : e.createdBy();
          return new Active(e.kind(), e.name(), e.visibility(), e.createdBy(), e.ts(), members, 1L, DedupWindow.empty(),
              owner, Set.of());
        });
    builder.forStateType(Active.class)
        .onEvent(MemberJoined.class, (s, e) -> s.withMember(e.user(), s.lastSeq() + 1))
        .onEvent(MemberLeft.class, (s, e) -> s.withoutMember(e.user(), s.lastSeq() + 1))
        .onEvent(MessagePosted.class, Active::withMessage)
        .onEvent(RoomRenamed.class, (s, e) -> s.renamed(e.name()))
        .onEvent(RoleChanged.class, (s, e) -> s.withRole(e.user(), e.role()))
        .onEvent(RoomDeleted.class, (s, e) -> new Closed(s.lastSeq() + 1));
    return builder.build();
  }

  private boolean isDm() {
    return RoomIds.isDm(roomId);
  }

  private static Active active(State state) {
    return (Active) state;
  }

  private static Rejected reject(Rejection reason) {
    return new Rejected(reason);
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}

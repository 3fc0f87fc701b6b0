package chat.node.user;

import chat.node.concurrent.Continuations;
import chat.node.CborSerializable;
import chat.node.push.PushCandidate;
import chat.node.push.PushRequest;
import chat.node.room.ChatRoom;
import chat.node.room.RoomIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One user across all their devices and nodes.
 *
 * <p>Journaled: the user's room index (which rooms they belong to), so that listing rooms does not scan
 * rooms. Each entry carries the room seq of the membership change it reflects and only a newer change
 * replaces it, so index updates may arrive twice or out of order (from the gateway and from fan-out)
 * and still converge.
 *
 * <p>Journaled too: each device's delivery cursors (how far it acknowledged each room), batched.
 *
 * <p>Not journaled: the open connections. Connections register and refresh their registration
 * periodically, so the registry rebuilds itself within one refresh interval after this entity moves or
 * restarts, and a connection on a node that died disappears when its actor's termination is observed.
 */
public final class UserSession
    extends EventSourcedBehaviorWithEnforcedReplies<UserSession.Command, UserSession.Event, UserSession.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "UserSession");

  // ---------------------------------------------------------------- commands

  public sealed interface Command extends CborSerializable {}

  /** Records a membership change of this user (idempotent; older changes than the one known are ignored). */
  public record RecordMembership(Membership membership, ActorRef<Done> replyTo) implements Command {}

  public record ListRooms(ActorRef<RoomList> replyTo) implements Command {}

  /** Registers (or refreshes) a connection; {@code device} receives what the session sends devices. */
  public record Connect(String connectionId, ActorRef<ToConnection> device, ActorRef<Registered> replyTo)
      implements Command {}

  /**
   * {@code incarnation} changes whenever the session restarts or moves; {@code added} says the session did
   * not know the connection before this Connect (its lease had run out, or the session is new). Either way
   * the session may have dropped pushes for it meanwhile, and a connection that was registered before
   * checks its rooms against the journal.
   */
  public record Registered(String incarnation, boolean accepted, boolean added) implements CborSerializable {}

  public record Disconnect(String connectionId) implements Command {}

  /** A timeline entry of one of the user's rooms, from the room's fan-out. */
  public record Deliver(ChatRoom.TimelineEntry entry) implements Command {}

  /**
   * The posted messages of one journal write of a room, in seq order: each as a {@link Deliver}, in one
   * command, since a busy room writes several at a time and every command costs a trip through sharding.
   */
  public record DeliverMessages(List<ChatRoom.TimelineEntry> messages) implements Command {
    /** Only posted messages: they change nothing the session journals, so it takes them without a write. */
    public DeliverMessages {
      for (ChatRoom.TimelineEntry entry : messages) {
        if (!(entry.event() instanceof ChatRoom.MessagePosted)) {
          throw new IllegalArgumentException("not a posted message: seq " + entry.seq() + " of " + entry.roomId());
        }
      }
      messages = List.copyOf(messages);
    }
  }

  private record DeviceTerminated(String connectionId, ActorRef<ToConnection> device) implements Command {}

  /**
   * A device (a stable client installation) connects: registers the connection like {@link Connect},
   * registers the device if new, and returns what its replay needs: the user's rooms and how far this
   * device has acknowledged each. Because the connection is registered before the reply, everything
   * appended after the replay looked at a room reaches the connection live.
   */
  public record OpenDevice(
      String deviceId, String connectionId, ActorRef<ToConnection> device, ActorRef<DeviceSync> replyTo)
      implements Command {}

  /**
   * The device acknowledged receipt up to these seqs. Applied at once in memory and journaled in batches
   * (within {@link #LAZY_FLUSH_INTERVAL}, with whatever else is pending), so acking never costs a write per
   * message. A crash before the flush moves a cursor back, which only means redelivery.
   */
  public record AdvanceCursors(String deviceId, Map<String, Long> cursors, ActorRef<Done> replyTo) implements Command {}

  /**
   * Moves the user's read marker of a room forward (for all devices) and answers where it is and how many
   * messages remain unread. The user's connections are told with {@link ReadMarkerMoved}.
   */
  public record MarkRead(String roomId, long seq, ActorRef<ReadReply> replyTo) implements Command {}

  /** Registers the device's push token, replacing its previous one. */
  public record RegisterPushToken(String deviceId, String platform, String token, ActorRef<Done> replyTo)
      implements Command {}

  public record UnregisterPushToken(String deviceId, ActorRef<Done> replyTo) implements Command {}

  /** The push pipeline found this token dead: removed unless the device registered another one since. */
  public record RemoveRefusedToken(String deviceId, String token, ActorRef<Done> replyTo) implements Command {}

  public record SetRoomNotifications(String roomId, PushSettings.Level level, ActorRef<SettingReply> replyTo)
      implements Command {}

  public record SetPushPreviews(boolean enabled, ActorRef<Done> replyTo) implements Command {}

  /**
   * From the push projection, once the acknowledgement window of these messages has passed: which of them
   * this user is to be pushed about ({@link PushPolicy}).
   */
  public record DecidePush(List<PushCandidate> candidates, ActorRef<PushDecisions> replyTo) implements Command {}

  /** The requests (without devices) and, once, the user's push devices that each of them goes to. */
  public record PushDecisions(List<PushRequest> requests, List<PushRequest.PushDevice> devices)
      implements CborSerializable {

    /** The requests, each with the user's devices. */
    public List<PushRequest> withDevices() {
      return requests.stream().map(r -> r.withDevices(devices)).toList();
    }
  }

  /** From a room: report how far this user received and read it (the room rebuilds its receipts). */
  public record ReportProgress(String roomId) implements Command {}

  /** From a room: members' receipts changed; pass the other members' to the connections. */
  public record DeliverReceipts(String roomId, List<ChatRoom.Receipt> receipts) implements Command {}

  /** From a room: another member started or stopped typing; pass it to the connections. */
  public record DeliverTyping(String roomId, String user, boolean active) implements Command {}

  /** What a connection reports of itself, and the user's choice to hide presence (null: unchanged). */
  public record SetAvailability(String connectionId, Availability availability, Boolean hidden, ActorRef<Done> replyTo)
      implements Command {}

  /**
   * Another user's connection ({@code watcher}) asks to follow this user's presence; allowed when the two
   * share a room ({@code observerRooms} are the observer's rooms). Repeating it renews the watch, which is
   * a lease like a connection's registration.
   */
  public record WatchPresence(
      String observer, Set<String> observerRooms, ActorRef<ToConnection> watcher, ActorRef<PresenceAnswer> replyTo)
      implements Command {}

  public record UnwatchPresence(ActorRef<ToConnection> watcher) implements Command {}

  private record WatcherTerminated(ActorRef<ToConnection> watcher) implements Command {}

  private enum SweepLeases implements Command { INSTANCE }

  private enum PublishPresence implements Command { INSTANCE }

  private enum Flush implements Command { INSTANCE }

  /**
   * Sharding's stop message (passivation, rebalancing, graceful shutdown): leave {@link LocalSessions}, take
   * what rooms told through it meanwhile, then journal what is pending and stop ({@link StopNow}), so only
   * a crash can lose what was not journaled yet (up to {@link #LAZY_FLUSH_INTERVAL} of cursors).
   */
  public enum Passivate implements Command { INSTANCE }

  /** Sent to itself after leaving {@link LocalSessions}: behind every tell that found the session there. */
  private enum StopNow implements Command { INSTANCE }

  /**
   * Sent to itself through sharding once recovered; it joins {@link LocalSessions} when this comes back, so
   * what sharding carried to it before is in its mailbox ahead of any tell that takes the short way.
   */
  public enum RegisterLocally implements Command { INSTANCE }

  /** Sent to itself through sharding while rooms on its node keep it busy: sharding's idle clock sees it. */
  public enum KeepStarted implements Command { INSTANCE }

  private record Recounted(String roomId, long version, long count) implements Command {}

  private record RecountFailed(String roomId, long version) implements Command {}

  private record RetryRecount(String roomId) implements Command {}

  private record AskRoomEnd(String roomId) implements Command {}

  private enum MarkCountsUnsaved implements Command { INSTANCE }

  /**
   * After a crash: where the room's timeline ends now, to recount what the lost counts covered; a
   * negative {@code lastSeq}: the user is no longer in the room, nothing to recount.
   */
  private record RoomEndKnown(String roomId, long lastSeq) implements Command {}

  /** The room did not answer where it ends; ask again later. */
  private record RoomEndUnknown(String roomId) implements Command {}

  /** The room could not say its name; the gateway's record, or the next join, will. */
  private enum NoNameAvailable implements Command { INSTANCE }

  // ---------------------------------------------------------------- to connections

  /** What a session sends to the user's connections. */
  public sealed interface ToConnection extends CborSerializable {}

  public record TimelineUpdate(ChatRoom.TimelineEntry entry) implements ToConnection {}

  public record ReadMarkerMoved(String roomId, long seq, long unread) implements ToConnection {}

  public record ReceiptUpdate(String roomId, List<ChatRoom.Receipt> receipts) implements ToConnection {}

  /** {@code lastSeen} is null unless offline and not hidden. */
  public record PresenceChanged(String user, Availability availability, Long lastSeen) implements ToConnection {}

  public record TypingChanged(String roomId, String user, boolean active) implements ToConnection {}

  public enum Availability { ONLINE, AWAY, OFFLINE }

  public record PresenceAnswer(boolean allowed, Availability availability, Long lastSeen) implements CborSerializable {}

  // ---------------------------------------------------------------- replies, events, state

  /**
   * The rooms the user is in, with the read state of each (absent: nothing read, nothing counted yet) and
   * the push level of those not at {@link PushSettings.Level#ALL}.
   */
  public record RoomList(List<Membership> rooms, Map<String, ReadState> reads, Map<String, PushSettings.Level> push)
      implements CborSerializable {

    public RoomList {
      // from a node of an earlier version, during a rolling upgrade
      push = push == null ? Map.of() : push;
    }
  }

  public sealed interface ReadReply extends CborSerializable {}

  public record ReadMarked(String roomId, long seq, long unread) implements ReadReply {}

  public record NotAMember() implements ReadReply, SettingReply {}

  public sealed interface SettingReply extends CborSerializable {}

  public record SettingSaved() implements SettingReply {}

  /** Journaled read state of a room: marker, how far counted, and the unread messages from others. */
  public record ReadState(long readSeq, long countedUpTo, long unread) implements CborSerializable {}

  /**
   * {@code isNew}: the device was never seen before (it has no cursors; its replay starts now).
   * {@code rooms}: the rooms the user is a member of. {@code cursors}: room to last acknowledged seq.
   */
  public record DeviceSync(
      boolean isNew, List<Membership> rooms, Map<String, Long> cursors, String incarnation, boolean accepted)
      implements CborSerializable {}

  /** What the journal keeps of a device: when it was last opened and how far it acknowledged each room. */
  public record Device(long lastSeenAt, Map<String, Long> cursors) implements CborSerializable {
    public Device {
      cursors = Map.copyOf(cursors);
    }

    Device advancedTo(Map<String, Long> acked, long at) {
      Map<String, Long> next = new HashMap<>(cursors);
      acked.forEach((room, seq) -> next.merge(room, seq, Math::max));
      return new Device(Math.max(lastSeenAt, at), next);
    }
  }

  /**
   * The user's relation to one room as of room seq {@code seq}. {@code peer} is the other user of a DM;
   * {@code member=false} is kept as a tombstone so that a late, older "joined" cannot resurrect the room.
   */
  public record Membership(
      String roomId, ChatRoom.Kind kind, String name, String peer, long seq, boolean member)
      implements CborSerializable {

    /** No longer a member as of {@code seq} (left, removed, or the room was deleted). */
    public static Membership tombstone(String roomId, long seq) {
      return new Membership(roomId, RoomIds.isDm(roomId) ? ChatRoom.Kind.DM : ChatRoom.Kind.GROUP, null, null, seq, false);
    }
  }

  public sealed interface Event extends CborSerializable {}

  public record MembershipRecorded(Membership membership) implements Event {}

  public record DeviceRegistered(String deviceId, long at) implements Event {}

  /** A batch of acknowledgements: device to (room to seq). Cursors only move forward. */
  public record CursorsAdvanced(Map<String, Map<String, Long>> cursors, long at) implements Event {}

  /** A batch of read states that changed since the last one. */
  public record ReadStatesRecorded(Map<String, ReadState> reads) implements Event {}

  /** A room of the index was renamed (its membership is unchanged). */
  public record RoomNameChanged(String roomId, String name) implements Event {}

  public record PushTokenRegistered(String deviceId, String platform, String token) implements Event {}

  /** {@code onlyIf}: removed only while the device still has this token (null: whatever it has). */
  public record PushTokenRemoved(String deviceId, String onlyIf) implements Event {}

  public record RoomNotificationsSet(String roomId, PushSettings.Level level) implements Event {}

  public record PushPreviewsSet(boolean enabled) implements Event {}

  /** The user chose to hide (or show) their presence. */
  public record PresenceHidden(boolean hidden) implements Event {}

  /** The user's last connection closed at {@code at}. */
  public record LastSeenRecorded(long at) implements Event {}

  /**
   * {@code true}: this incarnation started counting unread messages it journals only when it stops;
   * {@code false}: it stopped and journaled them. Still {@code true} at recovery means a crash lost counts.
   */
  public record CountsUnsaved(boolean unsaved) implements Event {}

  /**
   * {@code forgotten}: ids of devices evicted beyond {@link #MAX_DEVICES}, newest last, at most
   * {@link #MAX_FORGOTTEN}; such a device that returns is known (it replays from joining) rather than new.
   */
  public record State(
      Map<String, Membership> rooms, Map<String, Device> devices, Map<String, ReadState> reads, List<String> forgotten,
      boolean hidden, long lastSeen, boolean countsUnsaved, PushSettings push)
      implements CborSerializable {
    public State {
      rooms = Map.copyOf(rooms);
      devices = Map.copyOf(devices);
      reads = Map.copyOf(reads);
      forgotten = List.copyOf(forgotten);
      push = push == null ? PushSettings.NONE : push;
    }

    State withReads(Map<String, ReadState> changed) {
      Map<String, ReadState> next = new HashMap<>(reads);
      next.putAll(changed);
      next.keySet().retainAll(rooms.keySet());
      return new State(rooms, devices, next, forgotten, hidden, lastSeen, countsUnsaved, push);
    }

    /** A later change, or the same one with the room's name that an earlier record lacked. */
    boolean isNewer(Membership m) {
      Membership known = rooms.get(m.roomId());
      return known == null || m.seq() > known.seq()
          || (m.seq() == known.seq() && known.name() == null && m.name() != null);
    }

    /** Leaving drops the room's read state (a later join counts from the joining anyway) and push choice. */
    State with(Membership m) {
      Map<String, Membership> next = new HashMap<>(rooms);
      next.put(m.roomId(), m);
      Map<String, ReadState> nextReads = reads;
      if (!m.member() && reads.containsKey(m.roomId())) {
        nextReads = new HashMap<>(reads);
        nextReads.remove(m.roomId());
      }
      PushSettings nextPush = m.member() ? push : push.withLevel(m.roomId(), PushSettings.Level.ALL);
      return new State(next, devices, nextReads, forgotten, hidden, lastSeen, countsUnsaved, nextPush);
    }

    State withDevice(String deviceId, long at) {
      Map<String, Device> next = new HashMap<>(devices);
      next.merge(deviceId, new Device(at, Map.of()), (known, fresh) -> new Device(at, known.cursors()));
      return withDevices(next);
    }

    /** Cursors of rooms the user was never in are dropped, so a client cannot grow this state at will. */
    State withCursors(Map<String, Map<String, Long>> acked, long at) {
      Map<String, Device> next = new HashMap<>(devices);
      acked.forEach((deviceId, cursors) -> {
        Map<String, Long> known = new HashMap<>(cursors);
        known.keySet().retainAll(rooms.keySet());
        next.put(deviceId, next.getOrDefault(deviceId, new Device(at, Map.of())).advancedTo(known, at));
      });
      return withDevices(next);
    }

    State withRoomName(String roomId, String name) {
      Membership known = rooms.get(roomId);
      if (known == null) {
        return this;
      }
      Map<String, Membership> next = new HashMap<>(rooms);
      next.put(roomId, new Membership(known.roomId(), known.kind(), name, known.peer(), known.seq(), known.member()));
      return new State(next, devices, reads, forgotten, hidden, lastSeen, countsUnsaved, push);
    }

    State withPush(PushSettings settings) {
      return new State(rooms, devices, reads, forgotten, hidden, lastSeen, countsUnsaved, settings);
    }

    State withCountsUnsaved(boolean unsaved) {
      return new State(rooms, devices, reads, forgotten, hidden, lastSeen, unsaved, push);
    }

    State withHidden(boolean hide) {
      return new State(rooms, devices, reads, forgotten, hide, lastSeen, countsUnsaved, push);
    }

    State withLastSeen(long at) {
      return new State(rooms, devices, reads, forgotten, hidden, Math.max(lastSeen, at), countsUnsaved, push);
    }

    boolean wasForgotten(String deviceId) {
      return forgotten.contains(deviceId);
    }

    List<Membership> memberships() {
      return rooms.values().stream().filter(Membership::member).toList();
    }

    /** Keeps the most recently seen devices; the ids of those evicted are remembered for a while. */
    private State withDevices(Map<String, Device> devices) {
      List<String> nowForgotten = new ArrayList<>(forgotten);
      nowForgotten.removeAll(devices.keySet());
      while (devices.size() > MAX_DEVICES) {
        String oldest = devices.entrySet().stream()
            .min(Comparator.comparingLong((Map.Entry<String, Device> e) -> e.getValue().lastSeenAt())
                .thenComparing(Map.Entry::getKey))
            .orElseThrow().getKey();
        devices.remove(oldest);
        nowForgotten.add(oldest);
      }
      while (nowForgotten.size() > MAX_FORGOTTEN) {
        nowForgotten.remove(0);
      }
      return new State(
          rooms, devices, reads, nowForgotten, hidden, lastSeen, countsUnsaved, push.retainDevices(devices.keySet()));
    }
  }

  // ---------------------------------------------------------------- behaviour

  private static final Duration FILL_IN_TIMEOUT = Duration.ofSeconds(10);
  /** A connection or watcher not refreshed for this long is gone (they refresh every 10 s). */
  public static final Duration LEASE = Duration.ofSeconds(25);
  private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(5);
  /** Presence changes within this window are coalesced into one update to watchers. */
  public static final Duration PRESENCE_WINDOW = Duration.ofSeconds(1);

  /**
   * How soon a read marker the user moved (a {@code read}, a recount) is journaled: a badge must not come
   * back after a crash for long.
   */
  public static final Duration FLUSH_INTERVAL = Duration.ofSeconds(1);
  /**
   * How soon what only bounds redelivery is journaled: acknowledged cursors, last-seen, and the marker a
   * user's own message moves. Between flushes it lives in memory and is journaled when the session stops,
   * so only a crash loses it, and then devices get up to this much again (at-least-once; they drop
   * what they hold by seq). A second instead would cost a journal write per user per second: with
   * thousands of connected users acknowledging once a second, that alone saturated the journal.
   */
  public static final Duration LAZY_FLUSH_INTERVAL = Duration.ofSeconds(10);
  /**
   * A journal failure restarts the session after a backoff. When the journal fails for everyone (Cassandra
   * down or overloaded) thousands of sessions fail at once: a stack trace each would bury the log, so a
   * session's failure is logged at DEBUG until it failed {@value #FAILURES_BEFORE_ERROR} times in a row.
   */
  private static final int FAILURES_BEFORE_ERROR = 3;
  private static final org.apache.pekko.actor.typed.BackoffSupervisorStrategy RESTART =
      SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2)
          .withLogLevel(org.slf4j.event.Level.DEBUG)
          // failures further apart than this still count as in a row (the default is 2.6 s)
          .withResetBackoffAfter(Duration.ofMinutes(1))
          .withCriticalLogLevel(org.slf4j.event.Level.ERROR, FAILURES_BEFORE_ERROR);
  /** Devices remembered per user; the least recently seen is forgotten first. */
  public static final int MAX_DEVICES = 32;
  /** Ids of forgotten devices remembered per user, so that a returning one is not taken for a new one. */
  public static final int MAX_FORGOTTEN = 256;
  /** Events between snapshots; older events are deleted (this journal is state, not a timeline). */
  public static final int SNAPSHOT_EVERY = 100;

  private final String userId;
  private final Duration lazyFlush;
  private final LocalSessions local;
  /** Sharding asked this session to stop: it does not register again, also not after a restart. */
  private boolean stopRequested;
  /** When it last reminded sharding of itself ({@link KeepStarted}, {@link System#nanoTime}). */
  private long keptStartedAt = System.nanoTime();
  /** Identifies this start of the session (see {@link Registered}). */
  private String incarnation = UUID.randomUUID().toString();
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  /** Acknowledged but not yet journaled: device to (room to seq). */
  private Map<String, Map<String, Long>> pendingCursors = new HashMap<>();
  /** Ephemeral: open connections and presence watchers. Rebuilt by their periodic refresh. */
  private final PresenceRegistry presence = new PresenceRegistry();
  /** What watchers were last told; changes are published at most once per {@link #PRESENCE_WINDOW}. */
  private Availability publishedAvailability = Availability.OFFLINE;
  private Long pendingLastSeen;
  private final UnreadCounter unreadCounter;
  private final int maxConnections;

  private final java.util.function.Function<String, RecipientRef<ChatRoom.Command>> rooms;
  /** What this session last told each room about the user's progress, to tell only changes. */
  private final Map<String, ChatRoom.MemberProgress> reported = new HashMap<>();
  /** Working copies of the read state per room; journaled from {@link #dirtyReads} on the next flush. */
  private final Map<String, ReadProgress> progress = new HashMap<>();
  /** Whether the journal already says this incarnation has counts to save ({@link CountsUnsaved}). */
  private boolean countsMarkedUnsaved;
  /** Rooms asked where they end after a crash that have not answered yet. */
  private final Set<String> roomEndsOutstanding = new HashSet<>();
  private final Set<String> dirtyReads = new HashSet<>();
  /** When the scheduled {@link Flush} fires ({@link System#nanoTime}), while its timer is active. */
  private long flushDueAt;
  /** Rooms whose counting moved on without anything a device sees: journaled only when the session stops. */
  private final Set<String> countedReads = new HashSet<>();
  /** Delay before retrying a failed recount, per room; doubles up to a minute. */
  private final Map<String, Duration> recountBackoff = new HashMap<>();

  private UserSession(
      String userId, PersistenceId persistenceId, ActorContext<Command> context, TimerScheduler<Command> timers,
      UnreadCounter unreadCounter, java.util.function.Function<String, RecipientRef<ChatRoom.Command>> rooms,
      int maxConnections, Duration lazyFlush, LocalSessions local) {
    super(persistenceId, RESTART);
    this.lazyFlush = lazyFlush;
    this.local = local;
    this.userId = userId;
    this.context = context;
    this.timers = timers;
    this.unreadCounter = unreadCounter;
    this.rooms = rooms;
    this.maxConnections = maxConnections;
  }

  /**
   * {@code rooms}: how to reach a room, to report this user's receipts to it. {@code maxConnections}: open
   * connections allowed per user; more are refused at registration. {@code local}: the sessions running on
   * this node, which the session registers with while it runs, so that rooms here reach it directly.
   */
  public static Behavior<Command> create(
      String userId, PersistenceId persistenceId, UnreadCounter unreadCounter,
      java.util.function.Function<String, RecipientRef<ChatRoom.Command>> rooms, int maxConnections,
      LocalSessions local) {
    return create(userId, persistenceId, unreadCounter, rooms, maxConnections, LAZY_FLUSH_INTERVAL, local);
  }

  /** {@code lazyFlush}: instead of {@link #LAZY_FLUSH_INTERVAL}, for tests that watch the journal. */
  static Behavior<Command> create(
      String userId, PersistenceId persistenceId, UnreadCounter unreadCounter,
      java.util.function.Function<String, RecipientRef<ChatRoom.Command>> rooms, int maxConnections, Duration lazyFlush,
      LocalSessions local) {
    return Behaviors.withTimers(timers -> Behaviors.setup(context ->
        new UserSession(userId, persistenceId, context, timers, unreadCounter, rooms, maxConnections, lazyFlush, local)));
  }

  public static PersistenceId persistenceId(String userId) {
    return PersistenceId.of(ENTITY_KEY.name(), userId);
  }

  @Override
  public State emptyState() {
    return new State(Map.of(), Map.of(), Map.of(), List.of(), false, 0L, false, PushSettings.NONE);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    // cases are tried in order: the commands of every message and every acknowledgement come first
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Deliver.class, this::deliver)
        .onCommand(DeliverMessages.class, this::deliverMessages)
        .onCommand(AdvanceCursors.class, this::advanceCursors)
        .onCommand(RecordMembership.class, this::recordMembership)
        .onCommand(ListRooms.class, this::listRooms)
        .onCommand(OpenDevice.class, this::openDevice)
        .onCommand(MarkRead.class, this::markRead)
        .onCommand(Recounted.class, this::recounted)
        .onCommand(MarkCountsUnsaved.class, (s, c) -> s.countsUnsaved()
            ? Effect().noReply()
            : Effect().persist(new CountsUnsaved(true)).thenNoReply())
        .onCommand(RoomEndKnown.class, (s, c) -> {
          roomEndsOutstanding.remove(c.roomId());
          recountBackoff.remove(c.roomId());
          Membership membership = s.rooms().get(c.roomId());
          if (c.lastSeq() >= 0 && membership != null && membership.member()) {
            ReadProgress p = progress(s, c.roomId(), membership.seq());
            readChanged(s, c.roomId(), p, p.caughtUpTo(c.lastSeq()), FLUSH_INTERVAL);
          }
          return Effect().noReply();
        })
        .onCommand(RoomEndUnknown.class, (s, c) -> {
          timers.startSingleTimer("room-end-" + c.roomId(), new AskRoomEnd(c.roomId()), backoff(c.roomId()));
          return Effect().noReply();
        })
        .onCommand(AskRoomEnd.class, (s, c) -> {
          askRoomEnd(c.roomId());
          return Effect().noReply();
        })
        .onCommand(RecountFailed.class, (s, c) -> {
          ReadProgress p = progress.get(c.roomId());
          if (p != null) {
            p.recountFailed(c.version());
            timers.startSingleTimer("recount-" + c.roomId(), new RetryRecount(c.roomId()), backoff(c.roomId()));
          }
          return Effect().noReply();
        })
        .onCommand(RetryRecount.class, (s, c) -> {
          ReadProgress p = progress.get(c.roomId());
          if (p != null) {
            startRecountIfDue(c.roomId(), p);
          }
          return Effect().noReply();
        })
        .onCommand(Flush.class, (s, c) -> flush(s))
        .onCommand(ReportProgress.class, (s, c) -> {
          reported.remove(c.roomId());
          reportProgress(s, c.roomId());
          return Effect().noReply();
        })
        .onCommand(DeliverReceipts.class, (s, c) -> {
          // the user's own devices learn their read state from their session, not from receipts
          List<ChatRoom.Receipt> others = c.receipts().stream().filter(r -> !r.user().equals(userId)).toList();
          if (!others.isEmpty()) {
            forward(new ReceiptUpdate(c.roomId(), others));
          }
          return Effect().noReply();
        })
        .onCommand(Passivate.class, (s, c) -> {
          // sharding holds what arrives for this session from now on, for its next start
          stopRequested = true;
          local.unregister(userId, context.getSelf());
          context.getSelf().tell(StopNow.INSTANCE);
          return Effect().noReply();
        })
        .onCommand(RegisterLocally.class, (s, c) -> {
          if (!stopRequested) {
            local.register(userId, context.getSelf());
          }
          return Effect().noReply();
        })
        .onCommand(KeepStarted.class, (s, c) -> Effect().noReply())
        .onCommand(StopNow.class, (s, c) -> {
          dirtyReads.addAll(countedReads);
          countedReads.clear();
          List<Event> pending = pendingEvents();
          // counts still being corrected are not final: leave the mark, so the next start recounts
          boolean unsettled = !roomEndsOutstanding.isEmpty()
              || progress.values().stream().anyMatch(ReadProgress::recountOutstanding);
          if (unsettled != countsMarkedUnsaved) {
            pending.add(new CountsUnsaved(unsettled));
          }
          return pending.isEmpty() ? Effect().stop().thenNoReply() : Effect().persist(pending).thenStop().thenNoReply();
        })
        .onCommand(Connect.class, this::connect)
        .onCommand(Disconnect.class, (s, c) -> {
          ActorRef<ToConnection> device = presence.remove(c.connectionId());
          if (device != null) {
            context.unwatch(device);
          }
          presenceMaybeChanged(s);
          return Effect().noReply();
        })
        .onCommand(DeviceTerminated.class, (s, c) -> {
          presence.removeIfSame(c.connectionId(), c.device());
          presenceMaybeChanged(s);
          return Effect().noReply();
        })
        .onCommand(SetAvailability.class, this::setAvailability)
        .onCommand(WatchPresence.class, this::watchPresence)
        .onCommand(UnwatchPresence.class, (s, c) -> {
          if (presence.unwatch(c.watcher())) {
            context.unwatch(c.watcher());
          }
          return Effect().noReply();
        })
        .onCommand(WatcherTerminated.class, (s, c) -> {
          presence.unwatch(c.watcher());
          return Effect().noReply();
        })
        .onCommand(SweepLeases.class, (s, c) -> {
          presence.expire(System.currentTimeMillis(), LEASE).forEach(context::unwatch);
          presenceMaybeChanged(s);
          return Effect().noReply();
        })
        .onCommand(PublishPresence.class, (s, c) -> publishPresence(s))
        .onCommand(DeliverTyping.class, (s, c) -> {
          forward(new TypingChanged(c.roomId(), c.user(), c.active()));
          return Effect().noReply();
        })
        .onCommand(RegisterPushToken.class, this::registerPushToken)
        .onCommand(UnregisterPushToken.class, (s, c) -> s.push().tokens().containsKey(c.deviceId())
            ? Effect().persist(new PushTokenRemoved(c.deviceId(), null)).thenReply(c.replyTo(), x -> Done.getInstance())
            : Effect().reply(c.replyTo(), Done.getInstance()))
        .onCommand(RemoveRefusedToken.class, (s, c) -> s.push().hasToken(c.deviceId(), c.token())
            ? Effect().persist(new PushTokenRemoved(c.deviceId(), c.token())).thenReply(c.replyTo(), x -> Done.getInstance())
            : Effect().reply(c.replyTo(), Done.getInstance()))
        .onCommand(SetRoomNotifications.class, this::setRoomNotifications)
        .onCommand(SetPushPreviews.class, (s, c) -> s.push().previewsOff() != c.enabled()
            ? Effect().reply(c.replyTo(), Done.getInstance())
            : Effect().persist(new PushPreviewsSet(c.enabled())).thenReply(c.replyTo(), x -> Done.getInstance()))
        .onCommand(DecidePush.class, this::decidePush)
        .onCommand(NoNameAvailable.class, (s, c) -> Effect().noReply())
        .build();
  }

  private ReplyEffect<Event, State> recordMembership(State state, RecordMembership c) {
    if (!state.isNewer(c.membership())) {
      return Effect().reply(c.replyTo(), Done.getInstance());
    }
    return Effect().persist(new MembershipRecorded(c.membership())).thenReply(c.replyTo(), s -> Done.getInstance());
  }

  private ReplyEffect<Event, State> connect(State state, Connect c) {
    boolean known = presence.isRegistered(c.connectionId(), c.device());
    boolean accepted = register(state, c.connectionId(), c.device());
    return Effect().reply(c.replyTo(), new Registered(incarnation, accepted, accepted && !known));
  }

  /** Registers a connection, unless the user already has the maximum number open. */
  private boolean register(State state, String connectionId, ActorRef<ToConnection> connection) {
    boolean known = presence.isRegistered(connectionId, connection);
    if (!known && presence.connectionCount() >= maxConnections) {
      return false;
    }
    // one actor, one registration: a connection that re-registers under another id replaces the old one
    presence.register(connectionId, connection, System.currentTimeMillis());
    if (!known) {
      context.unwatch(connection);
      context.watchWith(connection, new DeviceTerminated(connectionId, connection));
    }
    presenceMaybeChanged(state);
    return true;
  }

  private ReplyEffect<Event, State> setAvailability(State state, SetAvailability c) {
    presence.setAvailability(c.connectionId(), c.availability());
    if (c.hidden() != null && c.hidden() != state.hidden()) {
      return Effect().persist(new PresenceHidden(c.hidden()))
          .thenRun(s -> presenceMaybeChanged(s))
          .thenReply(c.replyTo(), s -> Done.getInstance());
    }
    presenceMaybeChanged(state);
    return Effect().reply(c.replyTo(), Done.getInstance());
  }

  private ReplyEffect<Event, State> watchPresence(State state, WatchPresence c) {
    boolean sharesRoom = !c.observer().equals(userId)
        && state.memberships().stream().anyMatch(m -> c.observerRooms().contains(m.roomId()));
    if (!sharesRoom) {
      return Effect().reply(c.replyTo(), new PresenceAnswer(false, Availability.OFFLINE, null));
    }
    if (presence.watch(c.watcher(), c.observer(), System.currentTimeMillis())) {
      context.watchWith(c.watcher(), new WatcherTerminated(c.watcher()));
    }
    Availability now = presence.effective(state.hidden());
    return Effect().reply(c.replyTo(), new PresenceAnswer(true, now, visibleLastSeen(state, now)));
  }

  /**
   * Called whenever connections or availability may have changed. Records last-seen when the user goes
   * offline, and publishes the new presence to watchers at the end of the coalescing window, so a
   * flapping connection costs watchers at most one update per window.
   */
  private void presenceMaybeChanged(State state) {
    if (!presence.hasConnections() && publishedAvailability != Availability.OFFLINE && pendingLastSeen == null) {
      pendingLastSeen = System.currentTimeMillis();
      scheduleFlush(lazyFlush);
    }
    if (presence.effective(state.hidden()) != publishedAvailability && !timers.isTimerActive(PublishPresence.INSTANCE)) {
      timers.startSingleTimer(PublishPresence.INSTANCE, PRESENCE_WINDOW);
    }
  }

  private ReplyEffect<Event, State> publishPresence(State state) {
    Availability now = presence.effective(state.hidden());
    if (now != publishedAvailability) {
      publishedAvailability = now;
      PresenceChanged changed = new PresenceChanged(userId, now, visibleLastSeen(state, now));
      presence.watcherRefs().forEach(watcher -> watcher.tell(changed));
    }
    return Effect().noReply();
  }

  private Long visibleLastSeen(State state, Availability availability) {
    if (state.hidden() || availability != Availability.OFFLINE) {
      return null;
    }
    long seen = Math.max(state.lastSeen(), pendingLastSeen == null ? 0 : pendingLastSeen);
    return seen == 0 ? null : seen;
  }

  private ReplyEffect<Event, State> deliver(State state, Deliver c) {
    keepStarted();
    ChatRoom.TimelineEntry entry = c.entry();
    if (entry.event() instanceof ChatRoom.RoomRenamed renamed) {
      Membership known = state.rooms().get(entry.roomId());
      if (known != null && known.member() && !renamed.name().equals(known.name())) {
        return Effect().persist(new RoomNameChanged(entry.roomId(), renamed.name()))
            .thenRun(s -> delivered(s, entry))
            .thenNoReply();
      }
    }
    Membership change = membershipChange(entry);
    if (change != null && state.isNewer(change)) {
      // persisting stashes later deliveries, so devices still see entries in seq order
      return Effect().persist(new MembershipRecorded(change))
          .thenRun(s -> {
            delivered(s, entry);
            if (change.member() && change.name() == null && change.kind() == ChatRoom.Kind.GROUP) {
              fillInRoomName(change.roomId());
            }
          })
          .thenNoReply();
    }
    delivered(state, entry);
    return Effect().noReply();
  }

  /** What {@link #deliver} does for a posted message, for each: none of them needs a write first. */
  private ReplyEffect<Event, State> deliverMessages(State state, DeliverMessages c) {
    keepStarted();
    c.messages().forEach(entry -> delivered(state, entry));
    return Effect().noReply();
  }

  /** Rooms on this node tell it directly, which sharding's idle clock does not see. */
  private void keepStarted() {
    if (stopRequested) {
      return; // sharding would hold the reminder and start the session again after its stop
    }
    long now = System.nanoTime();
    if (now - keptStartedAt >= local.keepStartedNanos()) {
      keptStartedAt = now;
      local.viaSharding(userId, KeepStarted.INSTANCE);
    }
  }

  private ReplyEffect<Event, State> registerPushToken(State state, RegisterPushToken c) {
    PushSettings.Token token = new PushSettings.Token(c.platform(), c.token());
    if (token.equals(state.push().tokens().get(c.deviceId()))) {
      return Effect().reply(c.replyTo(), Done.getInstance());
    }
    List<Event> events = new ArrayList<>(2);
    if (!state.devices().containsKey(c.deviceId())) {
      events.add(new DeviceRegistered(c.deviceId(), System.currentTimeMillis()));
    }
    events.add(new PushTokenRegistered(c.deviceId(), c.platform(), c.token()));
    return Effect().persist(events).thenReply(c.replyTo(), s -> Done.getInstance());
  }

  private ReplyEffect<Event, State> setRoomNotifications(State state, SetRoomNotifications c) {
    Membership membership = state.rooms().get(c.roomId());
    if (membership == null || !membership.member()) {
      return Effect().reply(c.replyTo(), new NotAMember());
    }
    if (state.push().level(c.roomId()) == c.level()) {
      return Effect().reply(c.replyTo(), new SettingSaved());
    }
    return Effect().persist(new RoomNotificationsSet(c.roomId(), c.level())).thenReply(c.replyTo(), s -> new SettingSaved());
  }

  private ReplyEffect<Event, State> decidePush(State state, DecidePush c) {
    // muted rooms do not add to the badge: the user chose not to hear about them
    // asked for every member of every push batch: loops, not streams
    long badge = 0;
    for (Membership m : state.rooms().values()) {
      if (m.member() && state.push().level(m.roomId()) != PushSettings.Level.MUTED) {
        badge += unread(state, m.roomId());
      }
    }
    List<PushRequest> requests = new ArrayList<>();
    for (PushCandidate message : c.candidates()) {
      String roomId = message.roomId();
      ReadProgress p = progress.get(roomId);
      ReadState saved = state.reads().get(roomId);
      long readSeq = p != null ? p.readSeq() : saved != null ? saved.readSeq() : 0;
      PushPolicy.decide(userId, message, state.rooms().get(roomId), state.push(), readSeq, deliveredSeq(state, roomId),
          unread(state, roomId), badge).ifPresent(requests::add);
    }
    List<PushRequest.PushDevice> devices = requests.isEmpty() ? List.of() : PushPolicy.devices(state.push(), state.devices());
    return Effect().reply(c.replyTo(), new PushDecisions(requests, devices));
  }

  private long unread(State state, String roomId) {
    ReadProgress p = progress.get(roomId);
    ReadState saved = state.reads().get(roomId);
    return p != null ? p.unread() : saved != null ? saved.unread() : 0;
  }

  /** The furthest any of the user's devices acknowledged the room, journaled or not yet. */
  private long deliveredSeq(State state, String roomId) {
    long furthest = 0;
    for (Device device : state.devices().values()) {
      furthest = Math.max(furthest, device.cursors().getOrDefault(roomId, 0L));
    }
    for (Map<String, Long> cursors : pendingCursors.values()) {
      furthest = Math.max(furthest, cursors.getOrDefault(roomId, 0L));
    }
    return furthest;
  }

  private void fillInRoomName(String roomId) {
    Continuations.<Command, ChatRoom.Command, ChatRoom.RoomReply>ask(context, rooms.apply(roomId), FILL_IN_TIMEOUT,
        replyTo -> new ChatRoom.GetView(userId, replyTo),
        (reply, failure) -> reply instanceof ChatRoom.RoomReady ready
            ? new RecordMembership(Memberships.of(ready.view(), userId), context.getSystem().ignoreRef())
            : NoNameAvailable.INSTANCE);
  }

  /** Forwards an item to the connections, then counts it towards the room's unread. */
  private void delivered(State state, ChatRoom.TimelineEntry entry) {
    forward(new TimelineUpdate(entry));
    if ((entry.event() instanceof ChatRoom.MemberLeft left && left.user().equals(userId))
        || entry.event() instanceof ChatRoom.RoomDeleted) {
      forgetReadState(entry.roomId());
      return;
    }
    ReadProgress p = progress(state, entry.roomId(), entry.seq());
    boolean message = entry.event() instanceof ChatRoom.MessagePosted;
    boolean own = message && ((ChatRoom.MessagePosted) entry.event()).sender().equals(userId);
    ReadProgress.Outcome outcome = p.item(entry.seq(), message && !own, own);
    // the only change an item makes is the marker the user's own message moves ("writing reads the room"):
    // journaled lazily, since every sender would otherwise cost a write a second; a crash may bring back
    // up to that long of unread count from before the user's last message
    readChanged(state, entry.roomId(), p, outcome, lazyFlush);
  }

  /** No longer in the room: nothing of its read state is needed in memory any more. */
  private void forgetReadState(String roomId) {
    progress.remove(roomId);
    reported.remove(roomId);
    recountBackoff.remove(roomId);
    countedReads.remove(roomId);
    dirtyReads.remove(roomId);
  }

  private ReplyEffect<Event, State> markRead(State state, MarkRead c) {
    Membership membership = state.rooms().get(c.roomId());
    if (membership == null || !membership.member()) {
      return Effect().reply(c.replyTo(), new NotAMember());
    }
    ReadProgress p = progress(state, c.roomId(), membership.seq());
    readChanged(state, c.roomId(), p, p.markRead(c.seq()), FLUSH_INTERVAL);
    return Effect().reply(c.replyTo(), new ReadMarked(c.roomId(), p.readSeq(), p.unread()));
  }

  private ReplyEffect<Event, State> recounted(State state, Recounted c) {
    ReadProgress p = progress.get(c.roomId());
    recountBackoff.remove(c.roomId());
    if (p != null) {
      readChanged(state, c.roomId(), p, p.recounted(c.version(), c.count()), FLUSH_INTERVAL);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> listRooms(State state, ListRooms c) {
    Map<String, ReadState> reads = new HashMap<>(state.reads());
    progress.forEach((room, p) -> reads.put(room, p.state()));
    reads.keySet().retainAll(state.memberships().stream().map(Membership::roomId).collect(Collectors.toSet()));
    return Effect().reply(c.replyTo(), new RoomList(state.memberships(), reads, state.push().rooms()));
  }

  /**
   * The working read state of a room: journaled state, unless the user (re)joined after it, in which
   * case counting starts at the joining. {@code seenSeq} starts it for a room the index does not know yet.
   */
  private ReadProgress progress(State state, String roomId, long seenSeq) {
    return progress.computeIfAbsent(roomId, id -> {
      Membership membership = state.rooms().get(id);
      ReadState saved = state.reads().get(id);
      long joinSeq = membership != null && membership.member() ? membership.seq() : seenSeq;
      return saved != null && saved.countedUpTo() >= joinSeq ? ReadProgress.from(saved) : ReadProgress.joinedAt(joinSeq);
    });
  }

  /**
   * A moved marker or corrected count is journaled with the next flush. Mere counting is not (that would
   * be a write per message per member): it is journaled when the session stops. A crash leaves the
   * {@link CountsUnsaved} mark set, and recovery then asks each room where it ends and recounts.
   */
  private void readChanged(State state, String roomId, ReadProgress p, ReadProgress.Outcome outcome, Duration flushWithin) {
    if (outcome == ReadProgress.Outcome.CHANGED) {
      dirtyReads.add(roomId);
      countedReads.remove(roomId);
      scheduleFlush(flushWithin);
    } else if (!dirtyReads.contains(roomId)) {
      countedReads.add(roomId);
      if (outcome == ReadProgress.Outcome.COUNTED && !countsMarkedUnsaved) {
        // from now until the stop, a crash loses counts: say so in the journal, once per incarnation
        countsMarkedUnsaved = true;
        context.getSelf().tell(MarkCountsUnsaved.INSTANCE);
      }
    }
    if (outcome == ReadProgress.Outcome.CHANGED) {
      forward(new ReadMarkerMoved(roomId, p.readSeq(), p.unread()));
      reportProgress(roomId, delivered(roomId, state), p.readSeq());
    }
    startRecountIfDue(roomId, p);
  }

  /** Tells the room how far the user received (on any device) and read it, if that changed. */
  private void reportProgress(State state, String roomId) {
    Membership membership = state.rooms().get(roomId);
    if (membership == null || !membership.member()) {
      return;
    }
    ReadProgress p = progress(state, roomId, membership.seq());
    reportProgress(roomId, delivered(roomId, state), p.readSeq());
  }

  private void reportProgress(String roomId, long delivered, long read) {
    var progressNow = new ChatRoom.MemberProgress(userId, Math.max(delivered, read), read);
    if (!progressNow.equals(reported.put(roomId, progressNow))) {
      rooms.apply(roomId).tell(progressNow);
    }
  }

  /** The highest seq of the room that any of the user's devices acknowledged (journaled or pending). */
  private long delivered(String roomId, State state) {
    long max = 0;
    for (Map<String, Long> cursors : pendingCursors.values()) {
      max = Math.max(max, cursors.getOrDefault(roomId, 0L));
    }
    for (Device device : state.devices().values()) {
      max = Math.max(max, device.cursors().getOrDefault(roomId, 0L));
    }
    return max;
  }

  private void startRecountIfDue(String roomId, ReadProgress p) {
    p.takeRecount().ifPresent(recount -> context.pipeToSelf(
        unreadCounter.count(roomId, userId, recount.afterSeq(), recount.upToSeq()),
        (count, failure) -> failure == null
            ? new Recounted(roomId, recount.version(), count)
            : new RecountFailed(roomId, recount.version())));
  }

  private ReplyEffect<Event, State> openDevice(State state, OpenDevice c) {
    if (!register(state, c.connectionId(), c.device())) {
      return Effect().reply(c.replyTo(), new DeviceSync(false, List.of(), Map.of(), incarnation, false));
    }
    Device known = state.devices().get(c.deviceId());
    long now = System.currentTimeMillis();
    if (known == null && !pendingCursors.containsKey(c.deviceId())) {
      boolean isNew = !state.wasForgotten(c.deviceId());
      return Effect().persist(new DeviceRegistered(c.deviceId(), now))
          .thenReply(c.replyTo(), s -> new DeviceSync(isNew, s.memberships(), Map.of(), incarnation, true));
    }
    Map<String, Long> cursors = new HashMap<>(known == null ? Map.of() : known.cursors());
    pendingCursors.getOrDefault(c.deviceId(), Map.of()).forEach((room, seq) -> cursors.merge(room, seq, Math::max));
    return Effect().reply(c.replyTo(), new DeviceSync(false, state.memberships(), cursors, incarnation, true));
  }

  /**
   * A cursor can only claim what exists: it is capped at the room's highest seq this session has seen
   * (a lower cap only means redelivery), and rooms the user is not in are ignored.
   */
  private ReplyEffect<Event, State> advanceCursors(State state, AdvanceCursors c) {
    Map<String, Long> pending = pendingCursors.computeIfAbsent(c.deviceId(), d -> new HashMap<>());
    List<String> accepted = new ArrayList<>();
    c.cursors().forEach((room, seq) -> {
      Membership membership = state.rooms().get(room);
      if (membership != null && membership.member()) {
        long known = Math.max(progress(state, room, membership.seq()).countedUpTo(), delivered(room, state));
        pending.merge(room, Math.min(seq, known), Math::max);
        accepted.add(room);
      }
    });
    scheduleFlush(lazyFlush);
    accepted.forEach(room -> reportProgress(state, room));
    return Effect().reply(c.replyTo(), Done.getInstance());
  }

  /**
   * Flushes within {@code within}, at a random point of its second half: the sessions of users who connected
   * or came back together (after a deploy, a reconnect storm) would otherwise all journal at the same
   * moment of every interval, a burst of writes that reaches everyone's latency. An earlier flush already
   * due stays; a later one is brought forward.
   */
  private void scheduleFlush(Duration within) {
    long now = System.nanoTime();
    if (timers.isTimerActive(Flush.INSTANCE) && flushDueAt - (now + within.toNanos()) <= 0) {
      return; // the flush already due comes in time (redrawing would only ever bring it forward)
    }
    long half = within.toNanos() / 2;
    long delay = half + ThreadLocalRandom.current().nextLong(within.toNanos() - half + 1);
    flushDueAt = now + delay;
    timers.startSingleTimer(Flush.INSTANCE, Duration.ofNanos(delay));
  }

  /** Journals, in one write, the cursors and read states that changed since the last flush. */
  private ReplyEffect<Event, State> flush(State state) {
    List<Event> events = pendingEvents();
    return events.isEmpty() ? Effect().noReply() : Effect().persist(events).thenNoReply();
  }

  private List<Event> pendingEvents() {
    List<Event> events = new ArrayList<>(3);
    if (pendingLastSeen != null) {
      events.add(new LastSeenRecorded(pendingLastSeen));
      pendingLastSeen = null;
    }
    if (!pendingCursors.isEmpty()) {
      Map<String, Map<String, Long>> batch = new HashMap<>();
      pendingCursors.forEach((device, cursors) -> batch.put(device, Map.copyOf(cursors)));
      pendingCursors = new HashMap<>();
      events.add(new CursorsAdvanced(batch, System.currentTimeMillis()));
    }
    if (!dirtyReads.isEmpty()) {
      Map<String, ReadState> reads = new HashMap<>();
      dirtyReads.forEach(room -> {
        ReadProgress p = progress.get(room);
        if (p != null) {
          reads.put(room, p.state());
        }
      });
      dirtyReads.clear();
      if (!reads.isEmpty()) {
        events.add(new ReadStatesRecorded(reads));
      }
    }
    return events;
  }

  private void forward(ToConnection message) {
    presence.forEachConnection(connection -> connection.tell(message));
  }

  /** The change to this user's membership that a timeline entry carries, if any. */
  private Membership membershipChange(ChatRoom.TimelineEntry entry) {
    if (entry.event() instanceof ChatRoom.RoomCreated created && created.members().contains(userId)) {
      return Memberships.of(entry.roomId(), created.kind(), created.name(), created.members(), userId, entry.seq(), true);
    }
    if (entry.event() instanceof ChatRoom.MemberJoined joined && joined.user().equals(userId)) {
      // the room's name is not on the event: recorded without it, then filled in from the room
      ChatRoom.Kind kind = RoomIds.isDm(entry.roomId()) ? ChatRoom.Kind.DM : ChatRoom.Kind.GROUP;
      return new Membership(entry.roomId(), kind, null, null, entry.seq(), true);
    }
    if ((entry.event() instanceof ChatRoom.MemberLeft left && left.user().equals(userId))
        || entry.event() instanceof ChatRoom.RoomDeleted) {
      return Membership.tombstone(entry.roomId(), entry.seq());
    }

    return null;
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::recovered)
        // also when it stops or restarts without being asked to (a failure): rooms go through sharding
        // again, which holds what they send while it restarts, and it registers again once recovered
        .onSignal(PostStop.instance(), state -> local.unregister(userId, context.getSelf()))
        .onSignal(PreRestart.instance(), state -> {
          local.unregister(userId, context.getSelf());
          // deliveries may be dropped while it restarts: connections check their rooms when this changes
          incarnation = UUID.randomUUID().toString();
        })
        .build();
  }

  /**
   * A previous incarnation that crashed while counting unread messages (it journals them only when it
   * stops) left counts behind its rooms' timelines. Ask each room where it ends: a room that moved on
   * is recounted from the journal, and the devices hear the corrected count.
   */
  private void recovered(State state) {
    // also after a restart on a journal failure, which cancelled every timer of the earlier start
    timers.startTimerWithFixedDelay(SweepLeases.INSTANCE, SWEEP_INTERVAL);
    if (stopRequested) {
      // a journal failure restarted it between sharding's stop message and its stop: stop now
      context.getSelf().tell(StopNow.INSTANCE);
    } else if (!local.viaSharding(userId, RegisterLocally.INSTANCE)) {
      local.register(userId, context.getSelf());
    }
    if (pendingLastSeen != null || !pendingCursors.isEmpty() || !dirtyReads.isEmpty()) {
      scheduleFlush(dirtyReads.isEmpty() ? lazyFlush : FLUSH_INTERVAL);
    }
    countsMarkedUnsaved = state.countsUnsaved();
    if (!state.countsUnsaved()) {
      return;
    }
    state.memberships().forEach(membership -> askRoomEnd(membership.roomId()));
  }

  private void askRoomEnd(String roomId) {
    roomEndsOutstanding.add(roomId);
    Continuations.<Command, ChatRoom.Command, ChatRoom.ReadReply>ask(context, rooms.apply(roomId), FILL_IN_TIMEOUT,
        replyTo -> new ChatRoom.AuthorizeRead(userId, replyTo),
        (reply, failure) -> reply instanceof ChatRoom.ReadAllowed allowed ? new RoomEndKnown(roomId, allowed.lastSeq())
            : reply != null ? new RoomEndKnown(roomId, -1)
            : new RoomEndUnknown(roomId));
  }

  /** Delay before asking again about a room, per room: doubles from 1 s up to a minute. */
  private Duration backoff(String roomId) {
    return recountBackoff.merge(roomId, Duration.ofSeconds(1),
        (previous, first) -> previous.multipliedBy(2).compareTo(Duration.ofMinutes(1)) > 0
            ? Duration.ofMinutes(1) : previous.multipliedBy(2));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(MembershipRecorded.class, (s, e) -> s.with(e.membership()))
        .onEvent(DeviceRegistered.class, (s, e) -> s.withDevice(e.deviceId(), e.at()))
        .onEvent(CursorsAdvanced.class, (s, e) -> s.withCursors(e.cursors(), e.at()))
        .onEvent(ReadStatesRecorded.class, (s, e) -> s.withReads(e.reads()))
        .onEvent(PresenceHidden.class, (s, e) -> s.withHidden(e.hidden()))
        .onEvent(RoomNameChanged.class, (s, e) -> s.withRoomName(e.roomId(), e.name()))
        .onEvent(LastSeenRecorded.class, (s, e) -> s.withLastSeen(e.at()))
        .onEvent(CountsUnsaved.class, (s, e) -> s.withCountsUnsaved(e.unsaved()))
        .onEvent(PushTokenRegistered.class,
            (s, e) -> s.withPush(s.push().withToken(e.deviceId(), new PushSettings.Token(e.platform(), e.token()))))
        .onEvent(PushTokenRemoved.class, (s, e) -> s.withPush(s.push().withoutToken(e.deviceId(), e.onlyIf())))
        .onEvent(RoomNotificationsSet.class, (s, e) -> s.withPush(s.push().withLevel(e.roomId(), e.level())))
        .onEvent(PushPreviewsSet.class, (s, e) -> s.withPush(s.push().withPreviewsOff(!e.enabled())))
        .build();
  }
}

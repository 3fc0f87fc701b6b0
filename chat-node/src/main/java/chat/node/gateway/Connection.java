package chat.node.gateway;

import chat.node.concurrent.Continuations;
import chat.node.ChatNodeSettings;
import chat.node.auth.JwtAuthenticator;
import chat.node.room.ChatRoom;
import chat.node.user.UserSession;
import chat.protocol.AckResult;
import chat.protocol.ClientFrame;
import chat.protocol.DecodeResult;
import chat.protocol.ErrorCode;
import chat.protocol.FrameCodec;
import chat.protocol.Limits;
import chat.protocol.Protocol;
import chat.protocol.ServerFrame;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.util.ByteString;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One WebSocket connection: authenticates it, runs its requests (up to {@code max-in-flight} at once, the
 * rest wait in TCP), writes answers and timeline items into a bounded outbound queue, and keeps the
 * connection registered with the user's session.
 *
 * <p>Inbound frames arrive one at a time through a backpressured sink; the next one is requested only when
 * this actor is ready for it, so a fast client cannot grow this actor's mailbox. Outbound never blocks: a
 * full queue means the client does not read, and it is disconnected ({@code slow_consumer}).
 *
 * <p>Timeline items reach the client through {@link RoomStreams}, which merges live pushes with replays
 * from the journal: after a hello with a device id, everything the device has not acknowledged is
 * replayed, paced by how fast the client reads; a live push that skips a seq triggers a replay of the
 * hole. Either way each room's items leave in seq order, once.
 */
final class Connection extends AbstractBehavior<Connection.Command> {

  sealed interface Command {}

  /** A message from the client; {@code ack} asks the connection's stage for the next one. */
  record Received(Runnable ack, MessageAssembler.Inbound inbound) implements Command {}

  enum StreamAck { INSTANCE }

  enum StreamCompleted implements Command { INSTANCE }

  record StreamFailed(Throwable cause) implements Command {}

  private record Answered(ServerFrame frame) implements Command {}

  /** The answer to a watch_presence for {@code asked} (the users it named that were not watched yet). */
  private record WatchAnswered(ServerFrame frame, Set<String> asked) implements Command {}

  private record Delivered(UserSession.ToConnection message) implements Command {}

  private record DeviceOpened(UserSession.DeviceSync sync) implements Command {}

  private record DeviceOpenFailed(Throwable cause) implements Command {}

  private record SessionRegistered(String incarnation, boolean accepted, boolean added) implements Command {}

  private record WatchesRenewed(AckResult.PresenceList list, Set<String> asked) implements Command {}

  private enum IdleCheck implements Command { INSTANCE }

  private static final Duration IDLE_CHECK_INTERVAL = Duration.ofSeconds(5);

  private enum RegistrationUnanswered implements Command { INSTANCE }

  private record ReplayStarted(ActorRef<StreamAck> ackTo) implements Command {}

  private record ReplayReceived(ActorRef<StreamAck> ackTo, Replay.Element element) implements Command {}

  private enum ReplayCompleted implements Command { INSTANCE }

  private record ReplayFailed(Throwable cause) implements Command {}

  private enum ReplayPace implements Command { INSTANCE }

  private enum RetryReplay implements Command { INSTANCE }

  private enum AuthDeadline implements Command { INSTANCE }

  private enum TokenExpired implements Command { INSTANCE }

  private enum RefreshSession implements Command { INSTANCE }

  /** Stop even if the stream never confirms that the closed connection ended. */
  private enum ClosingDeadline implements Command { INSTANCE }

  private static final Duration CLOSING_GRACE = Duration.ofSeconds(5);
  private static final Duration REPLAY_PACE = Duration.ofMillis(20);
  private static final Duration REPLAY_RETRY = Duration.ofSeconds(1);
  /** Live items held while the device is being opened; beyond this they are re-read by the replay. */
  private static final int MAX_EARLY_ITEMS = 1000;

  /** Dependencies shared by all connections of a node. */
  record Deps(
      ChatNodeSettings.Gateway settings,
      ChatNodeSettings.Auth auth,
      Limits limits,
      JwtAuthenticator authenticator,
      RateLimits rateLimits,
      RequestHandler requests,
      Replay replay,
      FrameCodec codec,
      EncodedItems items,
      ClusterSharding sharding,
      Materializer materializer,
      java.util.function.Consumer<ActorRef<Command>> onStopped,
      chat.node.metrics.NodeMetrics metrics,
      chat.node.tracing.NodeTracing tracing) {}

  /** The node is shutting down: tell the client to reconnect elsewhere. */
  enum ServerShutdown implements Command { INSTANCE }

  /** Where the connection comes from, for the log: the TCP peer's address and a browser's Origin (else null). */
  record Client(String address, String origin) {
    private static final int MAX_LOGGED = 200;

    /** A client-chosen header, cut to a length that cannot swell the log. */
    static String shorten(String header) {
      return header.length() <= MAX_LOGGED ? header : header.substring(0, MAX_LOGGED) + "...";
    }
  }

  /**
   * Refusals that a client can repeat in a loop (over the rate limit, failed authentication) are logged at
   * most once per interval per connection, counted in between; the close line has the totals.
   */
  static final Duration LOG_INTERVAL = Duration.ofSeconds(10);

  /** {@code preAuthenticated}: who the upgrade's credentials named, or null when hello must carry a token. */
  static Behavior<Command> create(
      Deps deps, JwtAuthenticator.Authenticated preAuthenticated, Client client, OutboundFrames outbound) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new Connection(context, timers, deps, preAuthenticated, client, outbound)));
  }

  private final Deps deps;
  private final TimerScheduler<Command> timers;
  private final OutboundFrames outbound;
  private final String connectionId = UUID.randomUUID().toString();
  private final ActorRef<UserSession.ToConnection> deliveries;
  private final RoomStreams streams = new RoomStreams();
  private final RoomStreams.Output output = new StreamOutput();

  private final JwtAuthenticator.Authenticated preAuthenticated;
  private final Client client;
  private final long openedAt = System.nanoTime();
  private long framesIn;
  private long framesOut;
  private int rateLimited;
  private int authFailures;
  private final LogThrottle rateLimitLog = new LogThrottle(LOG_INTERVAL);
  private final LogThrottle authFailureLog = new LogThrottle(LOG_INTERVAL);
  /** Who ended the connection ({@code server} or {@code client}) and why, for its last log line. */
  private String closedBy;
  private ErrorCode closeCode;
  private String closeReason;
  private String userId;
  private String deviceId;
  /** The user session's incarnation when this connection last registered. */
  private String sessionIncarnation;
  /** A refresh of the registration went unanswered since the last answer. */
  private boolean registrationUnanswered;
  /** Users whose presence this connection follows, with what it last told the client. */
  private final Map<String, ServerFrame.Presence> watched = new HashMap<>();
  /** Users named in a watch_presence still being answered: they count toward the cap already. */
  private final Set<String> pendingWatches = new HashSet<>();
  private long lastInboundNanos = System.nanoTime();
  /** When recent requests were refused for the rate limit (bounded by the abuse threshold). */
  private final ArrayDeque<Long> refusals = new ArrayDeque<>();
  private int inFlight;
  private EntityRef<UserSession.Command> session;
  /** Set while the inbound stream waits for this actor to take another frame. */
  private Runnable stalledAck;
  private boolean outboundClosed;
  private boolean inboundEnded;

  /** Non-null between a hello with a device and the session's answer: live items wait here. */
  private List<ChatRoom.TimelineEntry> early;
  /** Rooms to replay next, by room, from the lowest seq asked for. */
  private final Map<String, Replay.Start> pendingReplays = new LinkedHashMap<>();
  private boolean replaying;
  /** The running replay's start ({@link System#nanoTime}) and the timeline items it sent so far. */
  private long replayStartedNanos;
  private long replayedItems;
  /** Whether the entries being written now arrived live (their latency is measured) rather than replayed. */
  private boolean writingLive;
  /** Set while the replay stream waits for the client to read what was already queued. */
  private ActorRef<StreamAck> pacedReplayAck;
  /** Rooms of a new device, replayed only to learn where they end; their cursors start there. */
  private final Set<String> baselineRooms = new HashSet<>();
  private final Map<String, Long> baselineCursors = new HashMap<>();

  private Connection(
      ActorContext<Command> context, TimerScheduler<Command> timers, Deps deps,
      JwtAuthenticator.Authenticated preAuthenticated, Client client, OutboundFrames outbound) {
    super(context);
    this.deps = deps;
    this.preAuthenticated = preAuthenticated;
    this.client = client;
    this.timers = timers;
    this.outbound = outbound;
    this.deliveries = context.messageAdapter(UserSession.ToConnection.class, Delivered::new);
    timers.startSingleTimer(AuthDeadline.INSTANCE, deps.settings().authTimeout());
    timers.startTimerWithFixedDelay(IdleCheck.INSTANCE, IDLE_CHECK_INTERVAL);
    deps.metrics().connectionOpened();
    log(Level.INFO).log("connection opened");
  }

  /** A line about this connection, with its ids as fields: never a frame's content, never a token. */
  private LoggingEventBuilder log(Level level) {
    LoggingEventBuilder line = getContext().getLog().atLevel(level)
        .addKeyValue("conn", connectionId)
        .addKeyValue("remote", client.address());
    if (client.origin() != null) {
      line = line.addKeyValue("origin", client.origin());
    }
    String user = userId != null ? userId : preAuthenticated != null ? preAuthenticated.userId() : null;
    if (user != null) {
      line = line.addKeyValue("user", user);
    }
    return line;
  }

  /** The first side to end the connection is the one that closed it. */
  private void ended(String by, ErrorCode code, String reason) {
    if (closedBy == null) {
      closedBy = by;
      closeCode = code;
      closeReason = reason;
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Received.class, m -> outboundClosed ? this : onReceived(m))
        .onMessage(Answered.class, this::onAnswered)
        .onMessage(Delivered.class, this::onDelivered)
        .onMessage(DeviceOpened.class, this::onDeviceOpened)
        .onMessage(DeviceOpenFailed.class, m -> {
          log(Level.WARN).addKeyValue("device", deviceId)
              .log("device could not be opened: {}", m.cause().toString());
          return close(ErrorCode.UNAVAILABLE, "your device's state cannot be read right now; reconnect");
        })
        .onMessage(ReplayStarted.class, m -> pace(m.ackTo()))
        .onMessage(ReplayReceived.class, this::onReplayed)
        .onMessageEquals(ReplayCompleted.INSTANCE, () -> {
          replaying = false;
          deps.metrics().resumed(replayedItems, System.nanoTime() - replayStartedNanos);
          runNextReplay();
          return this;
        })
        .onMessage(ReplayFailed.class, m -> {
          log(Level.WARN).log("replay failed, retrying: {}", m.cause().toString());
          replaying = false;
          timers.startSingleTimer(RetryReplay.INSTANCE, REPLAY_RETRY);
          return this;
        })
        .onMessageEquals(RetryReplay.INSTANCE, () -> {
          streams.catchingUp().forEach(room -> requestReplay(room,
              baselineRooms.contains(room) ? null : streams.lastSent(room) + 1));
          runNextReplay();
          return this;
        })
        .onMessageEquals(ReplayPace.INSTANCE, () -> {
          ActorRef<StreamAck> waiting = pacedReplayAck;
          pacedReplayAck = null;
          return waiting == null ? this : pace(waiting);
        })
        .onMessage(RefreshSession.class, m -> {
          register();
          renewWatches();
          return this;
        })
        .onMessage(WatchesRenewed.class, this::onWatchesRenewed)
        .onMessage(WatchAnswered.class, this::onWatchAnswered)
        .onMessageEquals(IdleCheck.INSTANCE, () -> {
          // while requests are unanswered the client is waiting on us, and while we stopped reading (too
          // many in flight) it cannot be heard: neither is a silent client
          long silentFor = inFlight > 0 ? 0 : System.nanoTime() - lastInboundNanos;
          return silentFor > deps.settings().clientIdleTimeout().toNanos()
              ? close(ErrorCode.IDLE_TIMEOUT, "nothing received for " + deps.settings().clientIdleTimeout().toSeconds()
                  + " s; send ping when otherwise idle")
              : this;
        })
        .onMessage(SessionRegistered.class, this::onRegistered)
        .onMessageEquals(RegistrationUnanswered.INSTANCE, () -> {
          // the session may have dropped this connection and taken it back without our hearing of it
          registrationUnanswered = sessionIncarnation != null;
          return this;
        })
        .onMessage(AuthDeadline.class, m -> userId != null ? this
            : close(ErrorCode.AUTH_TIMEOUT, "no successful hello within " + deps.settings().authTimeout().toSeconds() + " s"))
        .onMessageEquals(ClosingDeadline.INSTANCE, Behaviors::stopped)
        .onMessageEquals(TokenExpired.INSTANCE, () ->
            close(ErrorCode.TOKEN_EXPIRED, "the token expired; reconnect with a fresh one (or send reauthenticate in time)"))
        .onMessageEquals(ServerShutdown.INSTANCE, () ->
            close(ErrorCode.SHUTTING_DOWN, "this node is shutting down; reconnect (to another node) and resume"))
        .onMessageEquals(StreamCompleted.INSTANCE, () -> {
          ended("client", null, "closed");
          inboundEnded = true;
          return Behaviors.stopped();
        })
        .onMessage(StreamFailed.class, m -> {
          ended("client", null, "connection lost: " + m.cause());
          inboundEnded = true;
          return Behaviors.stopped();
        })
        .onSignal(PostStop.class, signal -> onStop())
        .build();
  }

  // ---------------------------------------------------------------- inbound

  private Behavior<Command> onReceived(Received m) {
    lastInboundNanos = System.nanoTime();
    framesIn++;
    MessageAssembler.Inbound inbound = m.inbound();
    if (inbound instanceof MessageAssembler.FarTooLarge) {
      return close(ErrorCode.FRAME_FAR_TOO_LARGE, "frame larger than " + deps.settings().dropFrameBytes() + " bytes");
    }
    if (inbound instanceof MessageAssembler.TooLarge tooLarge) {
      write(ServerFrame.Error.of(null, ErrorCode.FRAME_TOO_LARGE,
          "frame of " + tooLarge.bytes() + " bytes exceeds the limit of " + deps.settings().maxFrameBytes()));
      refused();
    } else if (inbound instanceof MessageAssembler.Binary) {
      write(ServerFrame.Error.of(null, ErrorCode.BINARY_NOT_SUPPORTED, "send JSON text frames"));
      refused();
    } else {
      onText(((MessageAssembler.Text) inbound).text());
    }
    if (inFlight < deps.settings().maxInFlight()) {
      m.ack().run();
    } else {
      stalledAck = m.ack();
    }
    return this;
  }

  private void onText(String text) {
    DecodeResult decoded = deps.codec().decodeClientFrame(text);
    if (decoded instanceof DecodeResult.Invalid invalid) {
      deps.metrics().frameReceived(null);
      write(invalid.toError());
      refused();
      return;
    }
    ClientFrame frame = ((DecodeResult.Valid) decoded).frame();
    deps.metrics().frameReceived(frame);
    if (frame instanceof ClientFrame.Hello hello) {
      answerOrRefuse(hello(hello));
    } else if (userId == null) {
      answerOrRefuse(ServerFrame.Error.of(frame.id(), ErrorCode.UNAUTHENTICATED, "send hello with a token first"));
    } else if (overLimit(frame)) {
      return;
    } else if (frame instanceof ClientFrame.Reauthenticate r) {
      answerOrRefuse(reauthenticate(r));
    } else if (frame instanceof ClientFrame.WatchPresence w) {
      watch(w);
    } else if (frame instanceof ClientFrame.UnwatchPresence u) {
      unwatch(u);
    } else if (frame instanceof ClientFrame.Received r && r.id() == null) {
      receivedQuietly(r);
    } else {
      request(frame, answer -> new Answered(answer));
    }
  }

  /**
   * An acknowledgement that wants no answer: told to the session, not asked, and not in flight. Cursors
   * only move forward, so one lost on the way (a session restarting or moving) is made good by the
   * device's next acknowledgement; until then it only means redelivery.
   */
  private void receivedQuietly(ClientFrame.Received r) {
    if (deviceId == null) {
      write(ServerFrame.Error.of(null, ErrorCode.INVALID_REQUEST, "received needs a device: send hello with a device id"));
      refused();
      return;
    }
    session().tell(new UserSession.AdvanceCursors(deviceId, Map.copyOf(r.cursors()), getContext().getSystem().ignoreRef()));
  }

  /** Writes an answer decided here; an error counts as a refusal (a bad token costs a signature check). */
  private void answerOrRefuse(ServerFrame answer) {
    write(answer);
    if (answer instanceof ServerFrame.Error) {
      refused();
    }
  }

  /** Hands a request to the handler; {@code answered} wraps its answer (an internal error if it failed). */
  private void request(ClientFrame frame, Function<ServerFrame, Command> answered) {
    inFlight++;
    getContext().pipeToSelf(deps.requests().handle(caller(), frame), (answer, failure) ->
        answered.apply(failure == null ? answer
            : ServerFrame.Error.of(frame.id(), ErrorCode.INTERNAL, "internal error")));
  }

  /**
   * Only users not followed yet are asked (each ask may wake that user's session), and they are reserved
   * at once, so that concurrent watches cannot pass the cap together.
   */
  private void watch(ClientFrame.WatchPresence w) {
    Set<String> asked = new HashSet<>(w.users());
    asked.removeAll(watched.keySet());
    asked.removeAll(pendingWatches);
    if (watched.size() + pendingWatches.size() + asked.size() > Protocol.MAX_USERS_PER_WATCH) {
      write(ServerFrame.Error.of(w.id(), ErrorCode.INVALID_REQUEST,
          "a connection watches at most " + Protocol.MAX_USERS_PER_WATCH + " users; unwatch some first"));
      return;
    }
    pendingWatches.addAll(asked);
    Set<String> reserved = Set.copyOf(asked);
    request(new ClientFrame.WatchPresence(w.id(), List.copyOf(asked)), answer -> new WatchAnswered(answer, reserved));
  }

  private Behavior<Command> onWatchAnswered(WatchAnswered m) {
    Set<String> stillWanted = new HashSet<>(m.asked());
    stillWanted.retainAll(pendingWatches); // an unwatch meanwhile wins
    pendingWatches.removeAll(m.asked());
    ServerFrame answer = m.frame();
    int denied = 0;
    if (answer instanceof ServerFrame.Ack ack && ack.result() instanceof AckResult.PresenceList list) {
      list.presences().stream().filter(p -> stillWanted.contains(p.user())).forEach(p -> watched.put(p.user(), p));
      denied = list.denied().size();
      // the answer names every user the client asked for, also those it already followed
      answer = new ServerFrame.Ack(ack.id(), withKnownPresences(list));
    }
    onAnswered(new Answered(answer));
    // asking about strangers wakes their sessions for nothing: persistent probing closes the connection
    for (int i = 0; i < denied; i++) {
      refused();
    }
    return this;
  }

  private AckResult.PresenceList withKnownPresences(AckResult.PresenceList list) {
    List<ServerFrame.Presence> presences = new ArrayList<>(list.presences());
    Set<String> answered = new HashSet<>();
    presences.forEach(p -> answered.add(p.user()));
    watched.values().stream().filter(p -> !answered.contains(p.user())).forEach(presences::add);
    return new AckResult.PresenceList(presences, list.denied());
  }

  /** Only users this connection follows are told to forget it; others' sessions are left asleep. */
  private void unwatch(ClientFrame.UnwatchPresence u) {
    List<String> followed = u.users().stream().distinct()
        .filter(user -> watched.remove(user) != null || pendingWatches.remove(user))
        .toList();
    if (followed.isEmpty()) {
      write(new ServerFrame.Ack(u.id(), new AckResult.Ok()));
    } else {
      request(new ClientFrame.UnwatchPresence(u.id(), followed), answer -> new Answered(answer));
    }
  }

  private ServerFrame hello(ClientFrame.Hello hello) {
    if (userId != null) {
      return ServerFrame.Error.of(hello.id(), ErrorCode.ALREADY_AUTHENTICATED, "this connection is authenticated as " + userId);
    }
    if (!Protocol.SUPPORTED_VERSIONS.contains(hello.protocol())) {
      return ServerFrame.Error.of(hello.id(), ErrorCode.UNSUPPORTED_PROTOCOL,
          "protocol " + hello.protocol() + " is not supported; supported: " + Protocol.SUPPORTED_VERSIONS);
    }
    JwtAuthenticator.Result result;
    if (hello.token() == null) {
      if (preAuthenticated == null) {
        return ServerFrame.Error.of(hello.id(), ErrorCode.INVALID_REQUEST,
            "token is required (or send it with the upgrade: Authorization header or bearer.<token> subprotocol)");
      }
      result = preAuthenticated;
    } else {
      result = sameUser(deps.authenticator().authenticate(hello.token()), preAuthenticated);
    }
    if (result instanceof JwtAuthenticator.Rejected rejected) {
      authenticationFailed("hello", rejected);
      return ServerFrame.Error.of(hello.id(), ErrorCode.INVALID_TOKEN, rejected.reason());
    }
    var authenticated = (JwtAuthenticator.Authenticated) result;
    userId = authenticated.userId();
    deviceId = hello.device();
    timers.cancel(AuthDeadline.INSTANCE);
    expireAt(authenticated.expiresAt());
    if (deviceId != null) {
      openDevice();
    } else {
      register();
    }
    timers.startTimerWithFixedDelay(RefreshSession.INSTANCE, deps.settings().sessionRefresh());
    deps.metrics().authenticated();
    log(Level.DEBUG).addKeyValue("device", deviceId).log("authenticated");
    return new ServerFrame.Ack(hello.id(),
        new AckResult.Welcome(userId, Protocol.VERSION, System.currentTimeMillis(), deps.limits(), deviceId != null));
  }

  private Behavior<Command> tooManyConnections() {
    return close(ErrorCode.TOO_MANY_CONNECTIONS,
        "this user has " + deps.settings().maxConnectionsPerUser() + " connections open; close one first");
  }

  /** Answers a request over the user's rate limit with when to retry. */
  private boolean overLimit(ClientFrame frame) {
    long waitMs = deps.rateLimits().acquire(userId, frame, System.currentTimeMillis());
    if (waitMs == 0) {
      return false;
    }
    String kind = RateLimits.kindOf(frame).name().toLowerCase(Locale.ROOT);
    deps.metrics().rateLimited(kind);
    write(ServerFrame.Error.retryAfter(frame.id(), ErrorCode.TOO_MANY_REQUESTS,
        "over the rate limit for " + kind + " requests", waitMs));
    rateLimited++;
    int heldBack = rateLimitLog.admit(System.nanoTime());
    if (heldBack >= 0) {
      withHeldBack(log(Level.INFO).addKeyValue("kind", kind), heldBack).log("rate limited");
    }
    refused();
    return true;
  }

  /** {@code stage}: hello or reauthenticate. The reason is the authenticator's, which never echoes the token. */
  private void authenticationFailed(String stage, JwtAuthenticator.Rejected rejected) {
    authFailures++;
    int heldBack = authFailureLog.admit(System.nanoTime());
    if (heldBack >= 0) {
      withHeldBack(log(Level.INFO).addKeyValue("failure", rejected.failure().code()).addKeyValue("stage", stage),
          heldBack).log("authentication failed");
    }
  }

  /** How many lines like this one the throttle held back since the last, when any. */
  static LoggingEventBuilder withHeldBack(LoggingEventBuilder line, int heldBack) {
    return heldBack > 0 ? line.addKeyValue("heldBack", heldBack) : line;
  }

  /**
   * Counts a refused frame (over the rate limit, malformed, failed authentication, a denied presence
   * watch), and closes a connection that keeps
   * at it: more than {@code abuse-threshold} refusals within {@code abuse-window}.
   */
  private void refused() {
    long now = System.currentTimeMillis();
    refusals.addLast(now);
    while (!refusals.isEmpty() && refusals.peekFirst() < now - deps.settings().abuseWindow().toMillis()) {
      refusals.removeFirst();
    }
    if (refusals.size() > deps.settings().abuseThreshold()) {
      close(ErrorCode.POLICY_VIOLATION, "too many refused frames (malformed, unauthorised or over the rate limit);"
          + " fix or slow down the client before reconnecting");
    }
  }

  /** A second token on one connection must name the same user as the first. */
  private static JwtAuthenticator.Result sameUser(JwtAuthenticator.Result result, JwtAuthenticator.Authenticated known) {
    if (known != null && result instanceof JwtAuthenticator.Authenticated a && !a.userId().equals(known.userId())) {
      return new JwtAuthenticator.Rejected(JwtAuthenticator.Failure.OTHER_USER,
          "token names another user than this connection's");
    }
    return result;
  }

  /** The connection lives until the token expires, plus a grace period for a reauthenticate. */
  private void expireAt(java.time.Instant expiresAt) {
    Duration left = Duration.between(java.time.Instant.now(), expiresAt).plus(deps.auth().expiryGrace());
    timers.startSingleTimer(TokenExpired.INSTANCE, left.isNegative() ? Duration.ZERO : left);
  }

  private ServerFrame reauthenticate(ClientFrame.Reauthenticate r) {
    var known = new JwtAuthenticator.Authenticated(userId, java.time.Instant.now());
    JwtAuthenticator.Result result = sameUser(deps.authenticator().authenticate(r.token()), known);
    if (result instanceof JwtAuthenticator.Rejected rejected) {
      authenticationFailed("reauthenticate", rejected);
      return ServerFrame.Error.of(r.id(), ErrorCode.INVALID_TOKEN, rejected.reason());
    }
    expireAt(((JwtAuthenticator.Authenticated) result).expiresAt());
    return new ServerFrame.Ack(r.id(), new AckResult.Ok());
  }

  private Behavior<Command> onAnswered(Answered m) {
    if (--inFlight == 0) {
      lastInboundNanos = System.nanoTime(); // silence counts from when the client stopped waiting on us
    }
    write(m.frame());
    if (stalledAck != null && inFlight < deps.settings().maxInFlight()) {
      stalledAck.run();
      stalledAck = null;
    }
    return this;
  }

  // ---------------------------------------------------------------- timeline: live and replayed

  private Caller caller() {
    return new Caller(userId, deviceId, connectionId, deliveries);
  }

  /** Tells the client about a watched user's presence, unless it already knows exactly that. */
  private void presenceSeen(ServerFrame.Presence presence) {
    if (watched.containsKey(presence.user()) && !presence.equals(watched.get(presence.user()))) {
      watched.put(presence.user(), presence);
      write(presence);
    }
  }

  /**
   * Watches are leases in the watched users' sessions: renewed with every refresh. The answers also
   * repair what a session that restarted or moved may have failed to push.
   */
  private void renewWatches() {
    if (watched.isEmpty()) {
      return;
    }
    Set<String> asked = Set.copyOf(watched.keySet());
    getContext().pipeToSelf(deps.requests().watch(caller(), List.copyOf(asked)), (list, failure) ->
        new WatchesRenewed(failure == null ? list : new AckResult.PresenceList(List.of(), List.of()), asked));
  }

  private Behavior<Command> onWatchesRenewed(WatchesRenewed m) {
    m.list().presences().forEach(this::presenceSeen);
    // no longer sharing a room: stop following them
    m.list().denied().forEach(watched::remove);
    return this;
  }

  /** (Re)registers with the user's session; the answer says whether the session restarted meanwhile. */
  private void register() {
    Continuations.<Command, UserSession.Command, UserSession.Registered>ask(getContext(), session(),
        deps.settings().askTimeout(),
        replyTo -> new UserSession.Connect(connectionId, deliveries, replyTo),
        (registered, failure) -> registered != null
            ? new SessionRegistered(registered.incarnation(), registered.accepted(), registered.added())
            : RegistrationUnanswered.INSTANCE);
  }

  /**
   * A session that restarted or moved, or that dropped this connection (its lease ran out while refreshes
   * went unanswered) and took it back, may have dropped pushes while this connection was not registered
   * with it, and nothing may follow in those rooms to reveal the hole: check every room against its end.
   * A refresh that went unanswered may have been such a taking back, so the next answer counts as one.
   */
  private Behavior<Command> onRegistered(SessionRegistered m) {
    if (!m.accepted()) {
      return tooManyConnections();
    }
    String previous = sessionIncarnation;
    sessionIncarnation = m.incarnation();
    boolean restarted = previous != null && !previous.equals(m.incarnation());
    boolean retaken = previous != null && (m.added() || registrationUnanswered);
    registrationUnanswered = false;
    if (restarted || retaken) {
      log(Level.DEBUG).addKeyValue("restarted", restarted).log("session may have dropped pushes, checking rooms");
      for (String room : streams.liveRooms()) {
        streams.startCatchingUp(room);
        requestReplay(room, streams.lastSent(room) + 1);
      }
      runNextReplay();
    }
    return this;
  }

  private void openDevice() {
    early = new ArrayList<>();
    Continuations.<Command, UserSession.Command, UserSession.DeviceSync>ask(getContext(), session(),
        deps.settings().askTimeout(),
        replyTo -> new UserSession.OpenDevice(deviceId, connectionId, deliveries, replyTo),
        (sync, failure) -> failure == null ? new DeviceOpened(sync) : new DeviceOpenFailed(failure));
  }

  /**
   * Plans the replay of every room of the user: from the device's cursor, or from the user's joining for
   * rooms the device has no cursor for, or (a new device) nothing at all: it starts at each room's end.
   */
  private Behavior<Command> onDeviceOpened(DeviceOpened m) {
    UserSession.DeviceSync sync = m.sync();
    if (!sync.accepted()) {
      return tooManyConnections();
    }
    sessionIncarnation = sync.incarnation();
    Map<String, Long> starts = new HashMap<>();
    for (UserSession.Membership membership : sync.rooms()) {
      String roomId = membership.roomId();
      Long cursor = sync.cursors().get(roomId);
      Long from = sync.isNew() ? null : cursor != null ? cursor + 1 : membership.seq();
      if (from == null) {
        baselineRooms.add(roomId);
      }
      starts.put(roomId, from);
      requestReplay(roomId, from);
    }
    streams.startInitialSync(starts, output);
    List<ChatRoom.TimelineEntry> arrived = early;
    early = null;
    arrived.forEach(this::live);
    runNextReplay();
    return this;
  }

  private Behavior<Command> onDelivered(Delivered m) {
    if (m.message() instanceof UserSession.ReadMarkerMoved moved) {
      write(new ServerFrame.ReadMarker(moved.roomId(), moved.seq(), moved.unread()));
      return this;
    }
    if (m.message() instanceof UserSession.PresenceChanged changed) {
      presenceSeen(ProtocolMapping.presence(changed.user(), changed.availability(), changed.lastSeen()));
      return this;
    }
    if (m.message() instanceof UserSession.TypingChanged typing) {
      write(new ServerFrame.TypingIndicator(typing.roomId(), typing.user(), typing.active()));
      return this;
    }
    if (m.message() instanceof UserSession.ReceiptUpdate update) {
      write(new ServerFrame.Receipt(update.roomId(), update.receipts().stream()
          .map(r -> new AckResult.MemberReceipt(r.user(), r.delivered(), r.read())).toList()));
      return this;
    }
    ChatRoom.TimelineEntry entry = ((UserSession.TimelineUpdate) m.message()).entry();
    if (early != null) {
      if (early.size() < MAX_EARLY_ITEMS) {
        early.add(entry);
      } // else: the replay that follows reads it from the journal
      return this;
    }
    live(entry);
    return this;
  }

  /** A live item into its room's stream; a traced message gets its chat.deliver span around the handoff. */
  private void live(ChatRoom.TimelineEntry entry) {
    writingLive = true;
    try {
      chat.node.tracing.NodeTracing.DeliverSpan delivery = deps.tracing().delivering(entry, userId, connectionId);
      if (delivery == null) {
        streams.live(entry, output);
        return;
      }
      long sentBefore = streams.lastSent(entry.roomId());
      streams.live(entry, output);
      delivery.end(sentBefore < entry.seq() && streams.lastSent(entry.roomId()) >= entry.seq());
    } finally {
      writingLive = false;
    }
  }

  private Behavior<Command> onReplayed(ReplayReceived m) {
    Replay.Element element = m.element();
    if (element instanceof Replay.Item item) {
      replayedItems++;
      streams.replayed(item.entry(), output);
    } else if (element instanceof Replay.Gap gap) {
      streams.gap(gap.roomId(), gap.from(), gap.to(), output);
    } else if (element instanceof Replay.RoomDone done) {
      streams.roomDone(done.roomId(), done.lastSeq(), done.baseline(), output);
    } else if (element instanceof Replay.Skipped skipped) {
      streams.skipped(skipped.roomId(), output);
    }
    return pace(m.ackTo());
  }

  /** Takes the next replayed element only while the client keeps the outbound queue at most half full. */
  private Behavior<Command> pace(ActorRef<StreamAck> ackTo) {
    if (outboundClosed) {
      return this;
    }
    if (outbound.size() < deps.settings().outboundBuffer() / 2) {
      ackTo.tell(StreamAck.INSTANCE);
    } else {
      pacedReplayAck = ackTo;
      timers.startSingleTimer(ReplayPace.INSTANCE, REPLAY_PACE);
    }
    return this;
  }

  private void requestReplay(String roomId, Long fromSeq) {
    pendingReplays.merge(roomId, new Replay.Start(roomId, fromSeq), (a, b) ->
        a.fromSeq() == null ? b : b.fromSeq() == null ? a : a.fromSeq() <= b.fromSeq() ? a : b);
  }

  /** One replay stream at a time; rooms asked for meanwhile go into the next one. */
  private void runNextReplay() {
    if (replaying || pendingReplays.isEmpty() || outboundClosed) {
      return;
    }
    List<Replay.Start> starts = new ArrayList<>(pendingReplays.values());
    pendingReplays.clear();
    replaying = true;
    replayStartedNanos = System.nanoTime();
    replayedItems = 0;
    deps.replay().source(userId, starts)
        .to(ActorSink.actorRefWithBackpressure(
            getContext().getSelf(),
            ReplayReceived::new,
            ReplayStarted::new,
            StreamAck.INSTANCE,
            ReplayCompleted.INSTANCE,
            ReplayFailed::new))
        .run(deps.materializer());
  }

  /** Turns the ordering decisions into frames and replays. */
  private final class StreamOutput implements RoomStreams.Output {
    @Override
    public void item(ChatRoom.TimelineEntry entry) {
      writeItem(entry);
      if (writingLive && entry.event() instanceof ChatRoom.MessagePosted posted) {
        deps.metrics().delivered(posted.ts());
      }
    }

    @Override
    public void gap(String roomId, long from, long to) {
      write(new ServerFrame.Gap(roomId, from, to, "backlog_limit"));
    }

    @Override
    public void caughtUp(String roomId, long seq) {
      write(new ServerFrame.CaughtUp(roomId, seq));
    }

    @Override
    public void baseline(String roomId, long seq) {
      if (baselineRooms.remove(roomId)) {
        baselineCursors.put(roomId, seq);
      }
    }

    @Override
    public void synced(int rooms) {
      write(new ServerFrame.Synced(rooms));
      if (!baselineCursors.isEmpty()) {
        // a new device starts at the end of each room: that is what it has "received"
        session().tell(new UserSession.AdvanceCursors(deviceId, Map.copyOf(baselineCursors),
            getContext().getSystem().ignoreRef()));
        baselineCursors.clear();
      }
    }

    @Override
    public void catchUp(String roomId, long fromSeq) {
      requestReplay(roomId, fromSeq);
      runNextReplay();
    }
  }

  // ---------------------------------------------------------------- outbound

  /** Queues a frame for the client; a full queue means the client does not read. */
  private void write(ServerFrame frame) {
    if (outboundClosed) {
      return;
    }
    write(frame, ByteString.fromArrayUnsafe(deps.codec().encodeBytes(frame)));
  }

  /**
   * Queues a timeline item. A live entry goes to every member at once, so its text comes from
   * {@link EncodedItems}: encoded once per node, not once per connection. A replayed one is this
   * connection's alone.
   */
  private void writeItem(ChatRoom.TimelineEntry entry) {
    if (outboundClosed) {
      return;
    }
    if (writingLive) {
      EncodedItems.Encoded item = deps.items().encoded(entry);
      write(item.frame(), item.payload());
    } else {
      write(ProtocolMapping.item(entry));
    }
  }

  /** Queues {@code frame}, already encoded as {@code payload} (its JSON in UTF-8). */
  private void write(ServerFrame frame, ByteString payload) {
    if (outboundClosed) {
      return;
    }
    if (frame instanceof ServerFrame.Error error) {
      deps.metrics().errorSent(error.code(), false);
    }
    OutboundFrames.Offer result = outbound.offer(payload);
    if (result == OutboundFrames.Offer.ENQUEUED) {
      framesOut++;
      deps.metrics().frameSent(frame);
    }
    if (result == OutboundFrames.Offer.DROPPED) {
      closeOutbound(ServerFrame.Closing.of(ErrorCode.SLOW_CONSUMER,
          "more than " + deps.settings().outboundBuffer() + " frames unread; reconnect and resume"));
    } else if (result == OutboundFrames.Offer.CLOSED) {
      ended("client", null, "closed");
      outboundClosed = true; // the stream is already gone; the inbound side's end will stop this actor
    }
  }

  private Behavior<Command> close(ErrorCode code, String message) {
    closeOutbound(ServerFrame.Closing.of(code, message));
    return this;
  }

  /**
   * Queues the closing frame behind what is already queued and completes the outbound queue: everything
   * (answers included) goes out first, then the connection's stage closes the WebSocket (status 1000) and,
   * when the stream ends, tells this actor, which stops. A full queue (a slow consumer) is not waited for:
   * it is failed with the closing frame, which drops the backlog and sends that frame alone. Until then the
   * actor stays alive, reading nothing: stopping it at once would end the stream before the closing frame
   * is out.
   */
  private void closeOutbound(ServerFrame.Closing closing) {
    if (!outboundClosed) {
      outboundClosed = true;
      ended("server", closing.code(), closing.message());
      deps.metrics().errorSent(closing.code(), true);
      ByteString payload = ByteString.fromArrayUnsafe(deps.codec().encodeBytes(closing));
      if (outbound.offer(payload) == OutboundFrames.Offer.ENQUEUED) {
        deps.metrics().frameSent(closing);
        outbound.complete();
      } else {
        outbound.fail(new CloseConnection(closing.code(), payload));
      }
      timers.cancel(RefreshSession.INSTANCE);
      timers.startSingleTimer(ClosingDeadline.INSTANCE, CLOSING_GRACE);
    }
  }

  private Behavior<Command> onStop() {
    deps.onStopped().accept(getContext().getSelf());
    if (userId != null) {
      session().tell(new UserSession.Disconnect(connectionId));
    }
    if (!outboundClosed && !outbound.isEnded()) {
      outboundClosed = true;
      if (!inboundEnded) {
        // stopped while the client is still there: the node is shutting down
        ended("server", ErrorCode.SHUTTING_DOWN, "the node is shutting down");
        var closing = ServerFrame.Closing.of(ErrorCode.SHUTTING_DOWN, "the node is shutting down; reconnect");
        deps.metrics().errorSent(closing.code(), true);
        if (outbound.offer(ByteString.fromArrayUnsafe(deps.codec().encodeBytes(closing))) == OutboundFrames.Offer.ENQUEUED) {
          deps.metrics().frameSent(closing);
        }
      }
      // queued frames drain, then the WebSocket closes
      outbound.complete();
    }
    ended("server", null, "stopped");
    deps.metrics().connectionClosed("server".equals(closedBy), userId != null);
    LoggingEventBuilder closed = log(Level.INFO).addKeyValue("closedBy", closedBy);
    if (closeCode != null) {
      closed = closed.addKeyValue("code", closeCode.wireName());
    }
    closed.addKeyValue("reason", closeReason)
        .addKeyValue("durationMs", Duration.ofNanos(System.nanoTime() - openedAt).toMillis())
        .addKeyValue("framesIn", framesIn)
        .addKeyValue("framesOut", framesOut)
        .addKeyValue("rateLimited", rateLimited)
        .addKeyValue("authFailures", authFailures)
        .log("connection closed");
    return this;
  }

  /** The user's session; the ref is kept, since building one per acknowledgement is not free. */
  private EntityRef<UserSession.Command> session() {
    if (session == null || !session.getEntityId().equals(userId)) {
      session = deps.sharding().entityRefFor(UserSession.ENTITY_KEY, userId);
    }
    return session;
  }
}

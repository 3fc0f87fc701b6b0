package chat.node.gateway;

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
import java.util.UUID;
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
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;

/**
 * One WebSocket connection: authenticates it, runs its requests (up to {@code max-in-flight} at once, the
 * rest wait in TCP), writes answers and live timeline items into a bounded outbound queue, and keeps the
 * device registered with the user's session.
 *
 * <p>Inbound frames arrive one at a time through a backpressured sink; the next one is requested only when
 * this actor is ready for it, so a fast client cannot grow this actor's mailbox. Outbound never blocks: a
 * full queue means the client does not read, and it is disconnected ({@code slow_consumer}).
 */
final class Connection extends AbstractBehavior<Connection.Command> {

  sealed interface Command {}

  /** The inbound stream asks for the first element. */
  record StreamStarted(ActorRef<StreamAck> ackTo) implements Command {}

  record Received(ActorRef<StreamAck> ackTo, InboundFrames.Inbound inbound) implements Command {}

  enum StreamAck { INSTANCE }

  enum StreamCompleted implements Command { INSTANCE }

  record StreamFailed(Throwable cause) implements Command {}

  private record Answered(ServerFrame frame) implements Command {}

  private record Delivered(ChatRoom.TimelineEntry entry) implements Command {}

  private enum AuthDeadline implements Command { INSTANCE }

  private enum RefreshSession implements Command { INSTANCE }

  /** Stop even if the stream never confirms that the closed connection ended. */
  private enum ClosingDeadline implements Command { INSTANCE }

  private static final java.time.Duration CLOSING_GRACE = java.time.Duration.ofSeconds(5);

  /** Dependencies shared by all connections of a node. */
  record Deps(
      ChatNodeSettings.Gateway settings,
      Limits limits,
      JwtAuthenticator authenticator,
      RequestHandler requests,
      FrameCodec codec,
      ClusterSharding sharding) {}

  static Behavior<Command> create(Deps deps, BoundedSourceQueue<Message> outbound) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new Connection(context, timers, deps, outbound)));
  }

  private final Deps deps;
  private final TimerScheduler<Command> timers;
  private final BoundedSourceQueue<Message> outbound;
  private final String connectionId = UUID.randomUUID().toString();
  private final ActorRef<ChatRoom.TimelineEntry> device;

  private String userId;
  private int inFlight;
  /** Set while the inbound stream waits for this actor to take another frame. */
  private ActorRef<StreamAck> stalledAck;
  private boolean outboundClosed;
  private boolean inboundEnded;

  private Connection(
      ActorContext<Command> context, TimerScheduler<Command> timers, Deps deps, BoundedSourceQueue<Message> outbound) {
    super(context);
    this.deps = deps;
    this.timers = timers;
    this.outbound = outbound;
    this.device = context.messageAdapter(ChatRoom.TimelineEntry.class, Delivered::new);
    timers.startSingleTimer(AuthDeadline.INSTANCE, deps.settings().authTimeout());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(StreamStarted.class, m -> {
          m.ackTo().tell(StreamAck.INSTANCE);
          return this;
        })
        .onMessage(Received.class, m -> outboundClosed ? this : onReceived(m))
        .onMessage(Answered.class, this::onAnswered)
        .onMessage(Delivered.class, m -> {
          write(ProtocolMapping.item(m.entry()));
          return this;
        })
        .onMessage(RefreshSession.class, m -> {
          session().tell(new UserSession.Connect(connectionId, device));
          return this;
        })
        .onMessage(AuthDeadline.class, m -> userId != null ? this
            : close(ErrorCode.AUTH_TIMEOUT, "no successful hello within " + deps.settings().authTimeout().toSeconds() + " s"))
        .onMessageEquals(ClosingDeadline.INSTANCE, Behaviors::stopped)
        .onMessageEquals(StreamCompleted.INSTANCE, () -> {
          inboundEnded = true;
          return Behaviors.stopped();
        })
        .onMessage(StreamFailed.class, m -> {
          getContext().getLog().debug("connection {} inbound failed: {}", connectionId, m.cause().toString());
          inboundEnded = true;
          return Behaviors.stopped();
        })
        .onSignal(PostStop.class, signal -> onStop())
        .build();
  }

  private Behavior<Command> onReceived(Received m) {
    InboundFrames.Inbound inbound = m.inbound();
    if (inbound instanceof InboundFrames.FarTooLarge) {
      return close(ErrorCode.FRAME_FAR_TOO_LARGE, "frame larger than " + deps.settings().dropFrameBytes() + " bytes");
    }
    if (inbound instanceof InboundFrames.TooLarge tooLarge) {
      write(ServerFrame.Error.of(null, ErrorCode.FRAME_TOO_LARGE,
          "frame of " + tooLarge.bytes() + " bytes exceeds the limit of " + deps.settings().maxFrameBytes()));
    } else if (inbound instanceof InboundFrames.Binary) {
      write(ServerFrame.Error.of(null, ErrorCode.BINARY_NOT_SUPPORTED, "send JSON text frames"));
    } else {
      onText(((InboundFrames.Text) inbound).text());
    }
    if (inFlight < deps.settings().maxInFlight()) {
      m.ackTo().tell(StreamAck.INSTANCE);
    } else {
      stalledAck = m.ackTo();
    }
    return this;
  }

  private void onText(String text) {
    DecodeResult decoded = deps.codec().decodeClientFrame(text);
    if (decoded instanceof DecodeResult.Invalid invalid) {
      write(invalid.toError());
      return;
    }
    ClientFrame frame = ((DecodeResult.Valid) decoded).frame();
    if (frame instanceof ClientFrame.Hello hello) {
      write(hello(hello));
    } else if (userId == null) {
      write(ServerFrame.Error.of(frame.id(), ErrorCode.UNAUTHENTICATED, "send hello with a token first"));
    } else {
      inFlight++;
      getContext().pipeToSelf(deps.requests().handle(userId, frame), (answer, failure) ->
          new Answered(failure == null ? answer
              : ServerFrame.Error.of(frame.id(), ErrorCode.INTERNAL, "internal error")));
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
    JwtAuthenticator.Result result = deps.authenticator().authenticate(hello.token());
    if (result instanceof JwtAuthenticator.Rejected rejected) {
      return ServerFrame.Error.of(hello.id(), ErrorCode.INVALID_TOKEN, rejected.reason());
    }
    userId = ((JwtAuthenticator.Authenticated) result).userId();
    timers.cancel(AuthDeadline.INSTANCE);
    session().tell(new UserSession.Connect(connectionId, device));
    timers.startTimerWithFixedDelay(RefreshSession.INSTANCE, deps.settings().sessionRefresh());
    getContext().getLog().debug("connection {} authenticated as {}", connectionId, userId);
    return new ServerFrame.Ack(hello.id(),
        new AckResult.Welcome(userId, Protocol.VERSION, System.currentTimeMillis(), deps.limits()));
  }

  private Behavior<Command> onAnswered(Answered m) {
    inFlight--;
    write(m.frame());
    if (stalledAck != null && inFlight < deps.settings().maxInFlight()) {
      stalledAck.tell(StreamAck.INSTANCE);
      stalledAck = null;
    }
    return this;
  }

  /** Queues a frame for the client; a full queue means the client does not read. */
  private void write(ServerFrame frame) {
    if (outboundClosed) {
      return;
    }
    QueueOfferResult result = outbound.offer(TextMessage.create(deps.codec().encode(frame)));
    if (result == QueueOfferResult.dropped()) {
      closeOutbound(ServerFrame.Closing.of(ErrorCode.SLOW_CONSUMER,
          "more than " + deps.settings().outboundBuffer() + " frames unread; reconnect and read history"));
    } else if (!result.isEnqueued()) {
      outboundClosed = true; // the stream is already gone; the inbound side's end will stop this actor
    }
  }

  private Behavior<Command> close(ErrorCode code, String message) {
    closeOutbound(ServerFrame.Closing.of(code, message));
    return this;
  }

  /**
   * Fails the outbound queue with the reason; the outbound source recovers from it by emitting the
   * closing frame and completing, after which Pekko HTTP closes the WebSocket (status 1000) and the
   * coupled inbound side completes, which stops this actor. Until then the actor stays alive, reading
   * nothing: stopping it at once would tear the stream down before the closing frame is out.
   */
  private void closeOutbound(ServerFrame.Closing closing) {
    if (!outboundClosed) {
      outboundClosed = true;
      getContext().getLog().debug("closing connection {} of {}: {}", connectionId, userId, closing.code());
      terminateOutbound(() -> outbound.fail(new CloseConnection(closing)));
      timers.cancel(RefreshSession.INSTANCE);
      timers.startSingleTimer(ClosingDeadline.INSTANCE, CLOSING_GRACE);
    }
  }

  private Behavior<Command> onStop() {
    if (userId != null) {
      session().tell(new UserSession.Disconnect(connectionId));
    }
    if (!outboundClosed && !outbound.isCompleted()) {
      outboundClosed = true;
      if (!inboundEnded) {
        // stopped while the client is still there: the node is shutting down
        outbound.offer(TextMessage.create(deps.codec().encode(
            ServerFrame.Closing.of(ErrorCode.SHUTTING_DOWN, "the node is shutting down; reconnect"))));
      }
      // queued frames drain, then the WebSocket closes
      terminateOutbound(outbound::complete);
    }
    return this;
  }

  /** The stream may end on its own (client gone) at any moment; ending it twice is not an error here. */
  private void terminateOutbound(Runnable terminate) {
    try {
      terminate.run();
    } catch (IllegalStateException alreadyTerminated) {
      // nothing left to end
    }
  }

  private EntityRef<UserSession.Command> session() {
    return deps.sharding().entityRefFor(UserSession.ENTITY_KEY, userId);
  }
}

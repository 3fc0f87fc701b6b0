package chat.node.gateway;

import chat.node.ChatNodeSettings;
import chat.node.auth.JwtAuthenticator;
import chat.node.room.RoomTimeline;
import chat.protocol.FrameCodec;
import chat.protocol.Protocol;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;

/**
 * The WebSocket endpoint ({@link Protocol#WEBSOCKET_PATH}). Each upgrade gets its own stream: a
 * backpressured inbound side feeding a {@link Connection} actor, and a bounded outbound queue that actor
 * writes to. The two sides are coupled: when either ends, the connection ends.
 */
public final class WebSocketGateway {

  private final ActorSystem<?> system;
  private final Connection.Deps deps;
  private final InboundFrames inboundFrames;
  private final AtomicLong connectionCount = new AtomicLong();
  /** Live connection actors, for closing them all when the node shuts down. */
  private final java.util.Set<ActorRef<Connection.Command>> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean shuttingDown;

  public WebSocketGateway(
      ActorSystem<?> system, ChatNodeSettings settings, ClusterSharding sharding, RoomTimeline timeline,
      JwtAuthenticator authenticator) {
    this.system = system;
    ChatNodeSettings.Gateway g = settings.gateway();
    FrameCodec codec = new FrameCodec(settings.limits());
    Materializer materializer = Materializer.matFromSystem(system);
    this.deps = new Connection.Deps(g, settings.limits(), authenticator,
        new RequestHandler(sharding, timeline, g.askTimeout()),
        new Replay(sharding, timeline, g.askTimeout(), g.replayMaxItemsPerRoom()),
        codec, sharding, materializer, open::remove);
    this.inboundFrames = new InboundFrames(g.maxFrameBytes(), g.dropFrameBytes(), materializer);
  }

  public Route route() {
    return Directives.path(PathMatchers.segment("v1").slash("ws"), () ->
        Directives.extractWebSocketUpgrade(upgrade -> shuttingDown
            ? Directives.complete(StatusCodes.SERVICE_UNAVAILABLE, "this node is shutting down; connect to another")
            : Directives.complete(upgrade.handleMessagesWith(connectionFlow()))));
  }

  /**
   * Graceful shutdown: refuses new connections and tells every open one to reconnect elsewhere
   * ({@code closing shutting_down}). Completes when all have closed, or after {@code patience}.
   */
  public java.util.concurrent.CompletionStage<org.apache.pekko.Done> closeAll(java.time.Duration patience) {
    shuttingDown = true;
    open.forEach(connection -> connection.tell(Connection.ServerShutdown.INSTANCE));
    java.util.concurrent.CompletableFuture<org.apache.pekko.Done> drained = new java.util.concurrent.CompletableFuture<>();
    long deadline = System.nanoTime() + patience.toNanos();
    Runnable[] check = new Runnable[1];
    check[0] = () -> {
      if (open.isEmpty() || System.nanoTime() > deadline) {
        drained.complete(org.apache.pekko.Done.getInstance());
      } else {
        system.scheduler().scheduleOnce(java.time.Duration.ofMillis(50), check[0], system.executionContext());
      }
    };
    check[0].run();
    return drained;
  }

  public boolean isShuttingDown() {
    return shuttingDown;
  }

  /** A fresh flow per connection; the actor and the queue are created when Pekko HTTP materialises it. */
  private Flow<Message, Message, NotUsed> connectionFlow() {
    return Flow.fromMaterializer((materializer, attributes) -> {
      Pair<BoundedSourceQueue<Message>, Source<Message, NotUsed>> outbound = Source.<Message>queue(deps.settings().outboundBuffer())
          .recover(new PFBuilder<Throwable, Message>()
              .match(CloseConnection.class, close -> TextMessage.create(deps.codec().encode(close.closing())))
              .build())
          .preMaterialize(materializer);
      ActorRef<Connection.Command> connection = system.systemActorOf(
          Connection.create(deps, outbound.first()), "ws-" + connectionCount.incrementAndGet(), Props.empty());
      open.add(connection);
      Sink<Message, NotUsed> inbound = Flow.<Message>create()
          .mapAsync(1, inboundFrames::read)
          .to(ActorSink.actorRefWithBackpressure(
              connection,
              Connection.Received::new,
              Connection.StreamStarted::new,
              Connection.StreamAck.INSTANCE,
              Connection.StreamCompleted.INSTANCE,
              Connection.StreamFailed::new));
      return Flow.fromSinkAndSourceCoupled(inbound, outbound.second());
    }).mapMaterializedValue(future -> NotUsed.getInstance());
  }
}

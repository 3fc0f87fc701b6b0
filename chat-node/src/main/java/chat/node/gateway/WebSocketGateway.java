package chat.node.gateway;

import chat.node.ChatNodeSettings;
import chat.node.auth.JwtAuthenticator;
import chat.node.metrics.NodeMetrics;
import chat.node.room.RoomTimeline;
import chat.node.tracing.NodeTracing;
import chat.protocol.FrameCodec;
import chat.protocol.Protocol;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The WebSocket endpoint ({@link Protocol#WEBSOCKET_PATH}). Each upgrade gets a {@link WebSocketStage} on
 * Pekko HTTP's frame parser and renderer, and a {@link Connection} actor behind it: the stage hands the
 * actor one message at a time (backpressured), and writes what the actor queues.
 */
public final class WebSocketGateway {

  private static final Logger log = LoggerFactory.getLogger(WebSocketGateway.class);
  /** How often rate-limit buckets that have refilled are forgotten. */
  private static final Duration RATE_LIMIT_SWEEP = Duration.ofSeconds(30);
  /** An accepted upgrade whose stream has not started by then gives its address slot back. */
  private static final Duration UNSTARTED_SLOT_RELEASE = Duration.ofSeconds(30);
  /** How long a close frame the server sent waits for the client's before the connection is dropped. */
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);

  private final ActorSystem<?> system;
  private final Connection.Deps deps;
  private final WebSocketStage.Settings stageSettings;
  private final AtomicLong connectionCount = new AtomicLong();
  private volatile boolean shuttingDown;
  private final UpgradeChecks checks;
  private final ConnectionsPerAddress perAddress;
  /** Live connection actors with their client address: to close them all at shutdown, and to free the slot. */
  private final Map<ActorRef<Connection.Command>, String> addresses = new ConcurrentHashMap<>();
  /** Refused upgrades: a line per client address and refusal per interval, however fast a client retries. */
  private final LogThrottle.Keyed refusalLog = new LogThrottle.Keyed(Connection.LOG_INTERVAL, 10_000);

  public WebSocketGateway(
      ActorSystem<?> system, ChatNodeSettings settings, ClusterSharding sharding, RoomTimeline timeline,
      JwtAuthenticator authenticator, NodeMetrics metrics, NodeTracing tracing) {
    this.system = system;
    ChatNodeSettings.Gateway g = settings.gateway();
    FrameCodec codec = new FrameCodec(settings.limits());
    Materializer materializer = Materializer.matFromSystem(system);
    var rates = new EnumMap<RateLimits.Kind, RateLimits.Rate>(RateLimits.Kind.class);
    g.rateLimits().forEach((kind, rate) -> rates.put(
        RateLimits.Kind.valueOf(kind.toUpperCase(Locale.ROOT).replace('-', '_')), new RateLimits.Rate(rate[0], (int) rate[1])));
    RateLimits rateLimits = new RateLimits(rates);
    system.scheduler().scheduleAtFixedRate(RATE_LIMIT_SWEEP, RATE_LIMIT_SWEEP,
        () -> rateLimits.sweep(System.currentTimeMillis()), system.executionContext());
    this.deps = new Connection.Deps(g, settings.auth(), settings.limits(), authenticator, rateLimits,
        new RequestHandler(sharding, timeline, g.askTimeout(), g.maxRoomsPerUser(), metrics, tracing),
        new Replay(sharding, timeline, g.askTimeout(), g.replayMaxItemsPerRoom()),
        codec, new EncodedItems(codec), sharding, materializer, this::stopped, metrics, tracing);
    this.checks = new UpgradeChecks(settings.devMode(), g.allowedOrigins(), authenticator);
    this.perAddress = new ConnectionsPerAddress(g.maxConnectionsPerIp());
    this.stageSettings = new WebSocketStage.Settings(
        g.maxFrameBytes(), g.dropFrameBytes(), g.outboundBuffer(), g.pingInterval(), CLOSE_TIMEOUT);
  }

  /**
   * The upgrade is checked before any socket opens: the node must not be shutting down, a browser's
   * Origin must be allowed, the client address must be under its connection limit, and credentials
   * offered with the upgrade (an {@code Authorization: Bearer} header, or a {@code bearer.<token>}
   * subprotocol next to {@code chat.v1}) must be valid, else 401. Without credentials the client
   * authenticates with its first frame.
   */
  public Route route() {
    return Directives.path(PathMatchers.separateOnSlashes(Protocol.WEBSOCKET_PATH.substring(1)), () ->
        Directives.extractWebSocketUpgrade(upgrade ->
            Directives.extractRequest(request -> upgrade(upgrade, request))));
  }

  /**
   * The TCP peer's address. Not {@code extractClientIP}: it prefers X-Forwarded-For and similar headers,
   * which any client can set, and would let one client pose as many addresses.
   */
  private static String peerAddress(HttpRequest request) {
    return request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress)
        .map(InetAddress::getHostAddress)
        .orElse("unknown");
  }

  private Route upgrade(WebSocketUpgrade upgrade, HttpRequest request) {
    if (shuttingDown) {
      return Directives.complete(StatusCodes.SERVICE_UNAVAILABLE, "this node is shutting down; connect to another");
    }
    // the cheap check first: a token's signature costs far more than counting
    String address = peerAddress(request);
    String origin = request.getHeader("Origin").map(HttpHeader::value).map(Connection.Client::shorten).orElse(null);
    if (!perAddress.tryOpen(address)) {
      logRefusal(new UpgradeChecks.Refused(StatusCodes.TOO_MANY_REQUESTS, "too_many_connections",
          "too many connections from this address"), address, origin);
      return Directives.complete(StatusCodes.TOO_MANY_REQUESTS,
          "too many connections from " + address + "; at most " + deps.settings().maxConnectionsPerIp());
    }
    List<String> protocols = new ArrayList<>();
    upgrade.getRequestedProtocols().forEach(protocols::add);
    UpgradeChecks.Verdict verdict = checks.check(request, protocols);
    if (verdict instanceof UpgradeChecks.Refused refused) {
      perAddress.closed(address);
      logRefusal(refused, address, origin);
      return Directives.complete(refused.status(), refused.reason());
    }
    var accepted = (UpgradeChecks.Accepted) verdict;
    // the slot is the connection actor's to free once the stream runs; an upgrade whose stream never
    // starts (the client left before the switch) must not keep it
    AtomicBoolean started = new AtomicBoolean();
    system.scheduler().scheduleOnce(UNSTARTED_SLOT_RELEASE, () -> {
      if (started.compareAndSet(false, true)) {
        perAddress.closed(address);
      }
    }, system.executionContext());
    var stage = connectionStage(accepted.preAuthenticated(), new Connection.Client(address, origin), started);
    return Directives.complete(PekkoFrames.upgrade(upgrade, stage, accepted.subprotocol()));
  }

  /** 401 is an authentication failure, logged as one; the token itself is never logged. */
  private void logRefusal(UpgradeChecks.Refused refused, String address, String origin) {
    int heldBack = refusalLog.admit(address + " " + refused.status().intValue(), System.nanoTime());
    if (heldBack < 0) {
      return;
    }
    boolean authentication = refused.status().intValue() == StatusCodes.UNAUTHORIZED.intValue();
    LoggingEventBuilder line = log.atInfo()
        .setMessage(authentication ? "authentication failed" : "upgrade refused")
        .addKeyValue("remote", address);
    if (origin != null) {
      line = line.addKeyValue("origin", origin);
    }
    line = line.addKeyValue("status", refused.status().intValue())
        .addKeyValue(authentication ? "failure" : "code", refused.code())
        .addKeyValue("stage", "upgrade");
    Connection.withHeldBack(line, heldBack).log();
  }

  /**
   * Graceful shutdown: refuses new connections and tells every open one to reconnect elsewhere
   * ({@code closing shutting_down}). Completes when all have closed, or after {@code patience}.
   */
  public CompletionStage<Done> closeAll(Duration patience) {
    shuttingDown = true;
    addresses.keySet().forEach(connection -> connection.tell(Connection.ServerShutdown.INSTANCE));
    CompletableFuture<Done> drained = new CompletableFuture<>();
    long deadline = System.nanoTime() + patience.toNanos();
    Runnable[] check = new Runnable[1];
    check[0] = () -> {
      if (addresses.isEmpty() || System.nanoTime() > deadline) {
        drained.complete(Done.getInstance());
      } else {
        system.scheduler().scheduleOnce(Duration.ofMillis(50), check[0], system.executionContext());
      }
    };
    check[0].run();
    return drained;
  }

  private void stopped(ActorRef<Connection.Command> connection) {
    String address = addresses.remove(connection);
    if (address != null) {
      perAddress.closed(address);
    }
  }

  public int openConnections() {
    return addresses.size();
  }

  public boolean isShuttingDown() {
    return shuttingDown;
  }

  /** A fresh stage per connection; the actor is created when Pekko HTTP starts the connection's stream. */
  private WebSocketStage connectionStage(
      JwtAuthenticator.Authenticated preAuthenticated, Connection.Client client, AtomicBoolean started) {
    return new WebSocketStage(stageSettings, outbound -> {
      if (!started.compareAndSet(false, true)) {
        return null; // the slot was already given back: the stream starts too late to be served
      }
      ActorRef<Connection.Command> connection = system.systemActorOf(
          Connection.create(deps, preAuthenticated, client, outbound), "ws-" + connectionCount.incrementAndGet(),
          Props.empty());
      addresses.put(connection, client.address());
      return connection;
    });
  }
}

package chat.node;

import chat.cassandra.SchemaMigrator;
import chat.node.auth.DevTokenIssuer;
import chat.node.auth.JwtAuthenticator;
import chat.node.gateway.WebSocketGateway;
import chat.node.http.DevTokenRoute;
import chat.node.http.HealthRoutes;
import chat.node.http.WebClientRoute;
import chat.node.metrics.ClusterMetrics;
import chat.node.logging.LogContext;
import chat.node.metrics.MetricsEndpoint;
import chat.node.metrics.NodeMetrics;
import chat.node.push.PushPipeline;
import chat.node.push.PushPipelineSettings;
import chat.node.room.ChatRoom;
import chat.node.room.RoomTimeline;
import chat.node.tracing.NodeTracing;
import chat.node.tracing.TracingSettings;
import chat.node.user.JournalUnreadCounter;
import chat.node.user.LocalSessions;
import chat.node.user.ShardedMemberSessions;
import chat.node.user.UserSession;
import com.datastax.oss.driver.api.core.CqlSession;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.InitialTimeoutException;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires a node into an actor system: schema (if asked), cluster membership, the sharded entities, and the
 * HTTP endpoints. {@code Main} is a shell around this, so that tests can start several real nodes in one JVM.
 */
public final class ChatNode {

  private static final Logger log = LoggerFactory.getLogger(ChatNode.class);
  private static final String READ_JOURNAL = "pekko.persistence.cassandra.query";
  /** How long shutdown waits for connections to take their closing frame and go. */
  private static final Duration CLOSE_CONNECTIONS_PATIENCE = Duration.ofSeconds(5);

  private final ChatNodeSettings settings;
  private final CompletionStage<ServerBinding> binding;
  private final WebSocketGateway gateway;
  private final CompletionStage<ServerBinding> metricsBinding;

  private ChatNode(ChatNodeSettings settings, CompletionStage<ServerBinding> binding, WebSocketGateway gateway,
      CompletionStage<ServerBinding> metricsBinding) {
    this.settings = settings;
    this.binding = binding;
    this.gateway = gateway;
    this.metricsBinding = metricsBinding;
  }

  /** Where {@code GET /metrics} is served; null when {@code chat.metrics.enabled} is off. Waits for the binding. */
  public InetSocketAddress metricsAddress() {
    ServerBinding b = metricsBinding.toCompletableFuture().join();
    return b == null ? null : b.localAddress();
  }

  public static ChatNode init(ActorSystem<?> system) {
    return init(system, ChatNodeSettings.fromConfig(system.settings().config()));
  }

  public static ChatNode init(ActorSystem<?> system, ChatNodeSettings settings) {
    return init(system, settings, tracing(system));
  }

  /** {@code tracing}: where this node's spans go (tests hand in an SDK with an in-memory exporter). */
  public static ChatNode init(ActorSystem<?> system, ChatNodeSettings settings, NodeTracing tracing) {
    NodeMetrics metrics = NodeMetrics.get(system);
    LogContext.node(Cluster.get(system).selfMember().address().toString());
    if (settings.cassandra().migrateOnStart()) {
      migrate(system, settings.cassandra());
    }
    joinCluster(system, settings);

    ClusterSharding sharding = ClusterSharding.get(system);
    var timeline = new RoomTimeline(system, READ_JOURNAL);
    var unreadCounter = new JournalUnreadCounter(system, timeline);
    var shardingSettings = ClusterShardingSettings.create(Adapter.toClassic(system));
    var localSessions = new LocalSessions(LocalSessions.keepStarted(shardingSettings));
    var sessionRegion = sharding.init(Entity.of(UserSession.ENTITY_KEY,
            ctx -> UserSession.create(ctx.getEntityId(), UserSession.persistenceId(ctx.getEntityId()), unreadCounter,
                ShardedMemberSessions.rooms(sharding), settings.gateway().maxConnectionsPerUser(), localSessions))
        .withStopMessage(UserSession.Passivate.INSTANCE));
    localSessions.routeThrough(sessionRegion);
    metrics.gauge("chat.sessions.local", "User sessions on this node that its rooms tell directly, not through sharding",
        localSessions::size);
    var memberSessions = new ShardedMemberSessions(sessionRegion, localSessions);
    sharding.init(Entity.of(ChatRoom.ENTITY_KEY,
        ctx -> ChatRoom.create(ctx.getEntityId(), ChatRoom.persistenceId(ctx.getEntityId()), memberSessions, settings.room(),
            metrics.roomTimings(), tracing.rooms()))
        .withStopMessage(ChatRoom.Stop.INSTANCE));

    PushPipeline push = PushPipeline.start(system, PushPipelineSettings.fromConfig(system.settings().config()), sharding,
        settings.cassandra().keyspace(), settings.gateway().askTimeout(), tracing);

    var authenticator = new JwtAuthenticator(settings.auth(), Clock.systemUTC());
    var gateway = new WebSocketGateway(system, settings, sharding, timeline, authenticator, metrics, tracing);
    // after everything that ends spans: what is still queued is exported before the system goes
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-tracing",
        tracing::shutdown);
    CompletionStage<ServerBinding> metricsBinding = serveMetrics(system, metrics, gateway, push);
    Route routes = Directives.concat(gateway.route(), new HealthRoutes(system, gateway::isShuttingDown).route());
    routes = Directives.concat(routes, new WebClientRoute(settings.devMode()).route());
    // SIGTERM: first refuse new connections and send the open ones elsewhere; sharding then hands the
    // shards off (its own phase, later), and the HTTP binding unbinds and terminates.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "close-websockets",
        () -> gateway.closeAll(CLOSE_CONNECTIONS_PATIENCE));
    if (settings.devMode()) {
      log.warn("dev mode: POST /dev/token issues tokens for any user; never enable this in production");
      routes = Directives.concat(routes, new DevTokenRoute(new DevTokenIssuer(settings.auth(), Clock.systemUTC())).route());
    }
    CompletionStage<ServerBinding> binding = Http.get(system)
        .newServerAt(settings.http().host(), settings.http().port())
        .bindFlow(Flow.<HttpRequest>create()
            .initialTimeout(settings.http().requestHeadTimeout())
            // ending the stream closes the connection quietly: a failure would be logged as an error
            // (and answered 500) for every port scanner
            .recoverWithRetries(1, new PFBuilder<Throwable, Graph<SourceShape<HttpRequest>, NotUsed>>()
                .match(InitialTimeoutException.class, slow -> Source.empty())
                .build())
            .via(routes.flow(system)))
        .thenApply(b -> {
          log.info("chat node serving on {}", b.localAddress());
          return b.addToCoordinatedShutdown(Duration.ofSeconds(10), system);
        });
    return new ChatNode(settings, binding, gateway, metricsBinding);
  }

  /** {@code chat.tracing}: off, or an SDK of this node's own that exports over OTLP. */
  private static NodeTracing tracing(ActorSystem<?> system) {
    TracingSettings settings = TracingSettings.fromConfig(system.settings().config());
    if (!settings.enabled()) {
      return NodeTracing.disabled();
    }
    log.info("tracing on: {} to {}, sampling {} of sends", settings.exporter(), settings.otlpEndpoint(),
        settings.sampleRatio());
    // the same name as the logs' node field
    return NodeTracing.start(settings, Cluster.get(system).selfMember().address().toString());
  }

  /** Registers what is read at scrape time and binds the metrics port ({@code chat.metrics}). */
  private static CompletionStage<ServerBinding> serveMetrics(
      ActorSystem<?> system, NodeMetrics metrics, WebSocketGateway gateway, PushPipeline push) {
    metrics.gauge("chat.connections.open", "WebSocket connections open on this node, authenticated or not",
        gateway::openConnections);
    if (push != null) {
      metrics.counter("chat.push.requests.produced", "Push requests Kafka acknowledged", push.backlog()::produced);
      metrics.counter("chat.push.messages.decided", "Messages whose recipients were decided on", push.backlog()::messages);
      metrics.counter("chat.push.batches.failed", "Push batches that failed and are read again", push.backlog()::failedBatches);
      metrics.gauge("chat.push.tags.failing", "Push tags of this node whose last batch failed", push.backlog()::failingTags);
      metrics.gauge("chat.push.backlog.messages",
          "Messages in the push batches this node has in hand or failed on (at least what waits)", push.backlog()::waitingMessages);
      metrics.gauge("chat.push.backlog.oldest.seconds", "How long the oldest of those messages has waited since it was stored",
          () -> push.backlog().oldestWaitSeconds(System.currentTimeMillis()));
    }
    var clusterPolling = ClusterMetrics.start(system, metrics,
        java.util.List.of(ChatRoom.ENTITY_KEY.name(), UserSession.ENTITY_KEY.name()));
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-metrics",
        () -> {
          clusterPolling.cancel();
          metrics.close();
          return java.util.concurrent.CompletableFuture.completedFuture(org.apache.pekko.Done.getInstance());
        });
    var config = system.settings().config().getConfig("chat.metrics");
    if (!config.getBoolean("enabled")) {
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    }
    return MetricsEndpoint.bind(system, config.getString("host"), config.getInt("port"), metrics)
        .whenComplete((b, failure) -> {
          if (failure != null) {
            // the node still serves clients; the scraper will see the target down
            log.error("metrics not served: cannot bind {}:{} ({})", config.getString("host"), config.getInt("port"),
                failure.toString());
          } else {
            log.info("metrics served on {}/{}", b.localAddress(), MetricsEndpoint.PATH);
          }
        });
  }

  public ChatNodeSettings settings() {
    return settings;
  }

  public CompletionStage<ServerBinding> binding() {
    return binding;
  }

  /** WebSocket connections open on this node now, authenticated or not. */
  public int openConnections() {
    return gateway.openConnections();
  }

  /** The bound HTTP address; waits for the binding. */
  public InetSocketAddress httpAddress() {
    return binding.toCompletableFuture().join().localAddress();
  }

  /** A one-node cluster when asked to and no seed nodes are configured (dev mode, tests). */
  private static void joinCluster(ActorSystem<?> system, ChatNodeSettings settings) {
    Cluster cluster = Cluster.get(system);
    boolean seeded = !system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty();
    if (settings.joinSelf() && !seeded) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }

  /** Applies the versioned schema through the journal's own driver session; blocks until done. */
  static void migrate(ActorSystem<?> system, ChatNodeSettings.Cassandra cassandra) {
    CqlSession session = CassandraSessionRegistry.get(system)
        .sessionFor("pekko.persistence.cassandra")
        .underlying()
        .toCompletableFuture()
        .join();
    var applied = new SchemaMigrator(session).migrate(cassandra.keyspace(), cassandra.replication());
    log.info("schema of keyspace {} is current ({} migrations applied now)", cassandra.keyspace(), applied.size());
  }
}

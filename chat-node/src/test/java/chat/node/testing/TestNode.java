package chat.node.testing;

import chat.cassandra.testkit.TestCassandra;
import chat.node.ChatNode;
import chat.node.ChatNodeSettings;
import chat.node.auth.DevTokenIssuer;
import chat.node.tracing.NodeTracing;
import chat.protocol.Protocol;
import chat.protocol.client.ChatClient;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * A real node in this JVM: its own actor system on free loopback ports, the journal in the test class's
 * Cassandra keyspace. Several can run side by side; a new one on the same keyspace is a restarted node.
 */
public final class TestNode implements AutoCloseable {

  public static final String JWT_SECRET = "integration-test-secret-0123456789abcdef";

  /** Rate limits no functional test reaches. */
  public static final Map<String, Object> GENEROUS_RATE_LIMITS = Map.of(
      "chat.gateway.rate-limits.send.per-second", 10_000,
      "chat.gateway.rate-limits.send.burst", 10_000,
      "chat.gateway.rate-limits.typing.per-second", 10_000,
      "chat.gateway.rate-limits.typing.burst", 10_000,
      "chat.gateway.rate-limits.create-room.per-second", 10_000,
      "chat.gateway.rate-limits.create-room.burst", 10_000,
      "chat.gateway.rate-limits.history.per-second", 10_000,
      "chat.gateway.rate-limits.history.burst", 10_000,
      "chat.gateway.rate-limits.other.per-second", 10_000,
      "chat.gateway.rate-limits.other.burst", 10_000);

  private final ActorSystem<Void> system;
  private final ChatNode node;
  private final InetSocketAddress http;
  /** Null until first used: nodes verifying RS256/ES256 tokens have no issuer of their own. */
  private DevTokenIssuer tokens;

  private TestNode(ActorSystem<Void> system, ChatNode node, InetSocketAddress http) {
    this.system = system;
    this.node = node;
    this.http = http;
  }

  public static TestNode start(TestCassandra cassandra) {
    return start(cassandra, Map.of());
  }

  /** A second node that joins {@code seed}'s cluster (same journal). */
  public static TestNode join(TestCassandra cassandra, TestNode seed, Map<String, Object> overrides) {
    Map<String, Object> joining = new HashMap<>(overrides);
    joining.put("chat.cluster.join-self", false);
    joining.put("pekko.cluster.seed-nodes", List.of(seed.clusterAddress()));
    TestNode node = start(cassandra, joining);
    node.awaitMembers(2);
    seed.awaitMembers(2);
    return node;
  }

  /** This node's cluster address, e.g. {@code pekko://chat@127.0.0.1:41234}. */
  public String clusterAddress() {
    return Cluster.get(system).selfMember().address().toString();
  }

  public int clusterPort() {
    return (Integer) Cluster.get(system).selfMember().address().getPort().get();
  }

  /** Waits until this node sees {@code count} members Up. */
  public void awaitMembers(int count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      long up = java.util.stream.StreamSupport.stream(
              Cluster.get(system).state().getMembers().spliterator(), false)
          .filter(m -> m.status() == MemberStatus.up()).count();
      if (up == count) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("expected " + count + " members Up, have " + up);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** {@code overrides} are config paths, e.g. {@code chat.gateway.auth-timeout}. */
  public static TestNode start(TestCassandra cassandra, Map<String, Object> overrides) {
    return start(cassandra, overrides, null);
  }

  /** {@code tracing}: where the node's spans go; null for what the config says (off). */
  public static TestNode start(TestCassandra cassandra, Map<String, Object> overrides, NodeTracing tracing) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("chat.http.host", "127.0.0.1");
    settings.put("chat.http.port", 0);
    settings.put("chat.cluster.join-self", true);
    settings.put("chat.auth.jwt-secret", JWT_SECRET);
    settings.put("chat.cassandra.keyspace", cassandra.keyspace());
    settings.put("chat.cassandra.migrate-on-start", false);
    settings.put("datastax-java-driver.basic.contact-points", List.of(cassandra.host() + ":" + cassandra.port()));
    settings.put("datastax-java-driver.basic.load-balancing-policy.local-datacenter", cassandra.localDatacenter());
    settings.put("pekko.remote.artery.canonical.port", 0);
    settings.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
    settings.put("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off");
    // no Kafka unless a test brings one (PushIT)
    settings.put("chat.push.enabled", false);
    settings.put("chat.metrics.port", 0);
    // tests drive bursts far beyond a person's pace; AbuseIT tests the limits themselves
    settings.putAll(TestNode.GENEROUS_RATE_LIMITS);
    settings.putAll(overrides);
    Config config = ConfigFactory.load(ConfigFactory.parseMap(settings)
        .withFallback(ConfigFactory.parseResources("application.conf")));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "chat", config);
    try {
      ChatNodeSettings nodeSettings = ChatNodeSettings.fromConfig(config);
      ChatNode node = tracing == null ? ChatNode.init(system, nodeSettings) : ChatNode.init(system, nodeSettings, tracing);
      InetSocketAddress http = node.binding().toCompletableFuture().get(30, TimeUnit.SECONDS).localAddress();
      awaitUp(system);
      return new TestNode(system, node, http);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("test node did not start", e);
    }
  }

  private static void awaitUp(ActorSystem<?> system) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (Cluster.get(system).selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("node did not become Up");
      }
      Thread.sleep(50);
    }
  }

  public URI webSocketUri() {
    return URI.create("ws://127.0.0.1:" + http.getPort() + Protocol.WEBSOCKET_PATH);
  }

  /** {@code http://host:port/metrics} of this node's metrics endpoint. */
  public URI metricsUri() {
    InetSocketAddress metrics = node.metricsAddress();
    return URI.create("http://" + metrics.getHostString() + ":" + metrics.getPort() + "/metrics");
  }

  public URI httpUri() {
    return URI.create("http://127.0.0.1:" + http.getPort());
  }

  public ChatNodeSettings settings() {
    return node.settings();
  }

  public chat.protocol.Limits limits() {
    return node.settings().limits();
  }

  public synchronized String token(String user) {
    if (tokens == null) {
      tokens = new DevTokenIssuer(node.settings().auth(), Clock.systemUTC());
    }
    return tokens.issue(user).token();
  }

  /** A connected client, not yet authenticated. */
  public ChatClient connect() {
    return ChatClient.connect(webSocketUri(), Duration.ofSeconds(10));
  }

  /** A connected client that completed hello as {@code user}. */
  public ChatClient login(String user) {
    ChatClient client = connect();
    client.hello(token(user)).orTimeout(20, TimeUnit.SECONDS).join();
    return client;
  }

  /** WebSocket connections open on the node now. */
  public int openConnections() {
    return node.openConnections();
  }

  public ActorSystem<Void> system() {
    return system;
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("test node did not stop", e);
    }
  }
}

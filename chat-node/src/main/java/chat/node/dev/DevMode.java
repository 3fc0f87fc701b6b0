package chat.node.dev;

import chat.cassandra.CassandraServer;
import chat.cassandra.CassandraServerConfig;
import chat.cassandra.CassandraStartException;
import chat.kafka.KafkaServer;
import chat.kafka.KafkaServerConfig;
import chat.kafka.KafkaStartException;
import chat.node.ChatNode;
import chat.protocol.Protocol;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One node with everything it needs, for trying the server on a laptop: starts a real Cassandra and a real
 * Kafka broker on loopback (data kept in {@code .dev/cassandra} and {@code .dev/kafka} so history survives
 * restarts), applies the schema, starts the node with local.conf, and stops all three on Ctrl-C. If this
 * process is killed outright, the servers' watchdogs stop Cassandra and Kafka too.
 */
public final class DevMode {

  private DevMode() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    Path dataDir = Path.of(options.getOrDefault("--data-dir", ".dev")).toAbsolutePath();
    int cqlPort = Integer.parseInt(options.getOrDefault("--cql-port", "9042"));
    int storagePort = Integer.parseInt(options.getOrDefault("--storage-port", "7000"));
    int httpPort = Integer.parseInt(options.getOrDefault("--http-port", "8080"));
    int kafkaPort = Integer.parseInt(options.getOrDefault("--kafka-port", "9092"));
    int kafkaControllerPort = Integer.parseInt(options.getOrDefault("--kafka-controller-port", "9093"));
    Duration kafkaRestartDelay = Duration.ofSeconds(Long.parseLong(options.getOrDefault("--kafka-restart-delay", "5")));

    System.out.println("Starting Cassandra (data in " + dataDir.resolve("cassandra") + ") ...");
    CassandraServer cassandra;
    try {
      cassandra = CassandraServer.start(CassandraServerConfig.builder(dataDir.resolve("cassandra"))
          .cqlPort(cqlPort)
          .storagePort(storagePort)
          .build());
    } catch (CassandraStartException e) {
      System.err.println("Cassandra did not start: " + e.getMessage());
      System.err.println("(./chat run --cql-port N --storage-port M picks other ports)");
      System.exit(1);
      return;
    }

    System.out.println("Starting Kafka (data in " + dataDir.resolve("kafka") + ") ...");
    KafkaServer kafka;
    try {
      kafka = KafkaServer.start(KafkaServerConfig.builder(dataDir.resolve("kafka"))
          .port(kafkaPort)
          .controllerPort(kafkaControllerPort)
          .build());
    } catch (KafkaStartException e) {
      System.err.println("Kafka did not start: " + e.getMessage());
      System.err.println("(./chat run --kafka-port N --kafka-controller-port M picks other ports)");
      cassandra.stop();
      System.exit(1);
      return;
    }
    KafkaSupervisor supervisedKafka = new KafkaSupervisor(kafka, kafkaRestartDelay);

    Config config = ConfigFactory.parseMap(Map.of(
            "chat.http.port", httpPort,
            "datastax-java-driver.basic.contact-points",
            java.util.List.of(cassandra.host() + ":" + cassandra.cqlPort()),
            "chat.push.kafka.bootstrap-servers", kafka.bootstrapServers()))
        .withFallback(ConfigFactory.parseResources("local.conf"));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "chat", ConfigFactory.load(config));

    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // stop the servers regardless
      }
      // the node is gone, so nothing uses either any more: stop both at once
      CompletableFuture<Void> kafkaStopped = CompletableFuture.runAsync(supervisedKafka::stop);
      cassandra.stop();
      kafkaStopped.join();
    }, "dev-mode-shutdown"));

    ChatNode node;
    InetSocketAddress http;
    try {
      node = ChatNode.init(system);
      http = node.binding().toCompletableFuture().get(60, TimeUnit.SECONDS).localAddress();
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("The node failed to start: " + cause.getMessage());
      System.err.println("(./chat run --http-port N picks another HTTP port)");
      System.exit(1);
      return;
    }
    String base = "http://" + http.getHostString() + ":" + http.getPort();
    System.out.println();
    System.out.println("chat node ready (dev mode)");
    System.out.println("  Web client: " + base + "/");
    System.out.println("  WebSocket : ws://" + http.getHostString() + ":" + http.getPort() + Protocol.WEBSOCKET_PATH);
    System.out.println("  Token     : curl -s -X POST " + base + "/dev/token -H 'Content-Type: application/json' -d '{\"user\":\"alice\"}'");
    System.out.println("  Health    : " + base + "/ready");
    InetSocketAddress metrics = node.metricsAddress();
    if (metrics != null) {
      System.out.println("  Metrics   : http://" + metrics.getHostString() + ":" + metrics.getPort() + "/metrics");
    }
    System.out.println("  Cassandra : " + cassandra.host() + ":" + cassandra.cqlPort() + ", keyspace "
        + node.settings().cassandra().keyspace());
    System.out.println("  Kafka     : " + kafka.bootstrapServers());
    System.out.println("Press Ctrl-C to stop.");
    system.getWhenTerminated().toCompletableFuture().get();
  }

  /**
   * Another dev-mode node that joins the one {@code ./chat run} started (its cluster port 25520 by
   * default) and uses the same local Cassandra and Kafka: a local cluster on one machine, on loopback.
   */
  public static void join(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    int httpPort = Integer.parseInt(options.getOrDefault("--http-port", "8081"));
    int remotePort = Integer.parseInt(options.getOrDefault("--remote-port", "25521"));
    int seedPort = Integer.parseInt(options.getOrDefault("--seed-port", "25520"));
    int cqlPort = Integer.parseInt(options.getOrDefault("--cql-port", "9042"));
    int kafkaPort = Integer.parseInt(options.getOrDefault("--kafka-port", "9092"));
    Config config = ConfigFactory.parseMap(Map.of(
            "chat.http.port", httpPort,
            "pekko.remote.artery.canonical.port", remotePort,
            "pekko.cluster.seed-nodes", java.util.List.of("pekko://chat@127.0.0.1:" + seedPort),
            "chat.cluster.join-self", false,
            // the first dev node has the metrics port
            "chat.metrics.port", 0,
            "chat.cassandra.migrate-on-start", false,
            "datastax-java-driver.basic.contact-points", java.util.List.of("127.0.0.1:" + cqlPort),
            "chat.push.kafka.bootstrap-servers", "127.0.0.1:" + kafkaPort))
        .withFallback(ConfigFactory.parseResources("local.conf"));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "chat", ConfigFactory.load(config));
    InetSocketAddress http;
    try {
      http = ChatNode.init(system).binding().toCompletableFuture().get(60, TimeUnit.SECONDS).localAddress();
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("The node failed to start: " + cause.getMessage());
      system.terminate();
      System.exit(1);
      return;
    }
    System.out.println();
    System.out.println("chat node joined the local cluster (seed 127.0.0.1:" + seedPort + ", cluster port " + remotePort + ")");
    System.out.println("  WebSocket : ws://" + http.getHostString() + ":" + http.getPort() + Protocol.WEBSOCKET_PATH);
    System.out.println("Press Ctrl-C to stop (it hands its shards to the other nodes first).");
    system.getWhenTerminated().toCompletableFuture().get();
  }

  private static Map<String, String> parse(String[] args) {
    var options = new java.util.HashMap<String, String>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value pairs, got " + String.join(" ", args));
      }
      options.put(args[i], args[++i]);
    }
    return options;
  }
}

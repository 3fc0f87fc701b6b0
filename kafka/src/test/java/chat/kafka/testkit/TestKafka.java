package chat.kafka.testkit;

import chat.cassandra.DataDirectories;
import chat.kafka.KafkaServer;
import chat.kafka.KafkaServerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a test gets from {@link KafkaExtension}: where the test run's Kafka broker is, a topic helper and,
 * when this run started the broker itself ({@link #isOwned()}), control over it to simulate outages:
 * {@link #stop()}, {@link #kill()} and {@link #start()} again on the same ports and data, so that clients
 * configured with {@link #bootstrapServers()} find it again. Inject it as a parameter of a constructor, a
 * lifecycle method or a test method.
 *
 * <p>The broker is shared by every test class of the run: a test that stops it starts it again (the
 * extension also restarts it before the next class, should one forget), and tests use their own topics.
 */
public final class TestKafka {

  private static final Logger log = LoggerFactory.getLogger(TestKafka.class);

  private final String bootstrapServers;
  private final KafkaServerConfig config;
  private KafkaServer server;

  private TestKafka(String bootstrapServers, KafkaServerConfig config, KafkaServer server) {
    this.bootstrapServers = bootstrapServers;
    this.config = config;
    this.server = server;
  }

  /** A broker this test run owns, started on free ports with its data under the module's target/. */
  static TestKafka startOwned() {
    // under the module's target/, so that `mvn clean` removes whatever a killed run left behind
    Path dataDir = Path.of(System.getProperty("user.dir"), "target",
        "it-kafka-" + UUID.randomUUID().toString().substring(0, 8));
    KafkaServerConfig config = KafkaServerConfig.builder(dataDir).freePorts().build();
    KafkaServer server = KafkaServer.start(config);
    return new TestKafka(server.bootstrapServers(), config, server);
  }

  /** A broker someone else runs: no control over it. */
  static TestKafka external(String bootstrapServers) {
    log.info("Tests use the external Kafka at {}", bootstrapServers);
    return new TestKafka(bootstrapServers, null, null);
  }

  /** {@code host:port}, for {@code bootstrap.servers}; the same across {@link #stop()} and {@link #start()}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Whether this test run started the broker, so that {@link #stop()}, {@link #start()} and {@link #kill()} work. */
  public boolean isOwned() {
    return config != null;
  }

  /** Whether the broker runs (an external one is assumed to). */
  public synchronized boolean isRunning() {
    return !isOwned() || server != null && server.isRunning();
  }

  /** The broker process this run started, while it runs; empty for an external broker or while stopped. */
  public synchronized Optional<KafkaServer> server() {
    return Optional.ofNullable(server).filter(KafkaServer::isRunning);
  }

  /** Stops the broker cleanly (SIGTERM); {@link #start()} brings it back. A no-op if it is stopped. */
  public synchronized void stop() {
    requireOwned("stop");
    if (server != null) {
      server.stop();
      server = null;
    }
  }

  /** Kills the broker (SIGKILL), as a crash would; {@link #start()} brings it back. A no-op if it is stopped. */
  public synchronized void kill() {
    requireOwned("kill");
    if (server != null) {
      server.kill();
      server = null;
    }
  }

  /** Starts the broker again on the same ports and data, and waits until it is ready. A no-op if it runs. */
  public synchronized void start() {
    requireOwned("start");
    if (server == null || !server.isRunning()) {
      server = KafkaServer.start(config);
    }
  }

  /** Creates a topic with one partition, unless it exists. */
  public void createTopic(String topic) {
    createTopic(topic, 1);
  }

  /** Creates a topic with {@code partitions} partitions and one replica, unless it exists. */
  public void createTopic(String topic, int partitions) {
    try (Admin admin = newAdmin()) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("Cannot create topic " + topic + " on " + bootstrapServers, e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topic " + topic, e);
    }
  }

  /** An AdminClient for this broker; the caller closes it. */
  public Admin newAdmin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  /** At the end of the test run: stops an owned broker and deletes its data. */
  void shutdown() {
    if (isOwned()) {
      stop();
      DataDirectories.deleteRecursively(config.dataDir());
    }
  }

  private void requireOwned(String action) {
    if (!isOwned()) {
      throw new IllegalStateException("Cannot " + action + " the external Kafka at " + bootstrapServers
          + " (-D" + KafkaExtension.BOOTSTRAP_PROPERTY + "); check isOwned() first");
    }
  }

  @Override
  public String toString() {
    return "TestKafka[" + bootstrapServers + (isOwned() ? ", " + config.dataDir() : ", external") + "]";
  }
}

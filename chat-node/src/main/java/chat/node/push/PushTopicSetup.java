package chat.node.push;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.Patterns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the push topics that are missing, with their documented partitions, replication and retention;
 * topics that exist are left alone. Retries in the background while Kafka is unreachable: the node does
 * not wait for Kafka to start, and chat never depends on it.
 */
public final class PushTopicSetup {

  private static final Logger log = LoggerFactory.getLogger(PushTopicSetup.class);
  private static final java.time.Duration RETRY = java.time.Duration.ofSeconds(5);

  private PushTopicSetup() {}

  public static CompletionStage<Done> ensure(ActorSystem<?> system, PushPipelineSettings settings) {
    // the admin client blocks while it waits for the broker
    var blocking = system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking());
    return CompletableFuture.supplyAsync(() -> createMissing(settings), blocking)
        .handle((done, failure) -> {
          if (failure == null) {
            return CompletableFuture.completedFuture(done);
          }
          log.warn("push topics not checked yet ({}); trying again in {} s", PushBacklog.describe(failure), RETRY.toSeconds());
          return Patterns.after(RETRY, system, () -> ensure(system, settings));
        })
        .thenCompose(next -> next);
  }

  /** The client block (security and the like), then the address and the short timeouts of a check that is retried. */
  static Properties adminProperties(PushPipelineSettings settings) {
    Properties properties = new Properties();
    properties.putAll(settings.client());
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    return properties;
  }

  private static Done createMissing(PushPipelineSettings settings) {
    try (Admin admin = Admin.create(adminProperties(settings))) {
      Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
      List<NewTopic> missing = List.of(settings.requests(), settings.feedback()).stream()
          .filter(topic -> !existing.contains(topic.name()))
          .map(PushTopicSetup::newTopic)
          .toList();
      if (missing.isEmpty()) {
        return Done.getInstance();
      }
      for (var created : admin.createTopics(missing).values().entrySet()) {
        try {
          created.getValue().get(10, TimeUnit.SECONDS);
          log.info("created Kafka topic {}", created.getKey());
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
          // another node created it meanwhile
        }
      }
      return Done.getInstance();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException(PushBacklog.describe(e), e);
    }
  }

  private static NewTopic newTopic(PushPipelineSettings.Topic topic) {
    return new NewTopic(topic.name(), topic.partitions(), topic.replicationFactor())
        .configs(Map.of(
            TopicConfig.RETENTION_MS_CONFIG, Long.toString(topic.retention().toMillis()),
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
            // with one in-sync replica, acks=all would be a leader's word alone
            TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.min(2, topic.replicationFactor()))));
  }
}

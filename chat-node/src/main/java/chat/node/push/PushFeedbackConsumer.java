package chat.node.push;

import static chat.node.concurrent.Continuations.inline;

import chat.node.user.UserSession;
import com.typesafe.config.Config;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the push tokens the dispatcher reports dead ({@link PushTopics#FEEDBACK}): every node consumes
 * in one group, and an offset is committed only after the user's session removed the token, so a crash
 * repeats a removal (harmless) rather than losing it.
 */
final class PushFeedbackConsumer {

  static final String GROUP = "chat-node-push-feedback";
  private static final Logger log = LoggerFactory.getLogger(PushFeedbackConsumer.class);

  private PushFeedbackConsumer() {}

  static UniqueKillSwitch start(
      ActorSystem<?> system, PushPipelineSettings settings, ClusterSharding sharding, Duration askTimeout) {
    ConsumerSettings<String, byte[]> consumer = consumerSettings(
        system.settings().config().getConfig("pekko.kafka.consumer"), settings);
    CommitterSettings committer = CommitterSettings.create(system);
    RestartSettings restart = RestartSettings.create(settings.minBackoff(), settings.maxBackoff(), 0.2);
    return RestartSource.onFailuresWithBackoff(restart, () -> Consumer
            .committableSource(consumer, Subscriptions.topics(PushTopics.FEEDBACK))
            .mapAsync(4, message -> apply(sharding, askTimeout, message.record().value())
                .thenApply(done -> message.committableOffset()))
            .via(Committer.flow(committer)))
        .viaMat(KillSwitches.single(), Keep.right())
        .to(Sink.ignore())
        .run(system);
  }

  /** {@code pekkoKafkaConsumer}: the {@code pekko.kafka.consumer} block, which the actor system's settings hold. */
  static ConsumerSettings<String, byte[]> consumerSettings(Config pekkoKafkaConsumer, PushPipelineSettings settings) {
    return ConsumerSettings.create(pekkoKafkaConsumer, new StringDeserializer(), new ByteArrayDeserializer())
        .withProperties(settings.client())
        .withBootstrapServers(settings.bootstrapServers())
        // the group, where it starts and committing only what was applied are the pipeline's own, whatever
        // the client block says: an automatic commit could lose feedback in a crash
        .withGroupId(GROUP)
        .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
        .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
  }

  private static CompletionStage<Done> apply(ClusterSharding sharding, Duration askTimeout, byte[] value) {
    PushFeedback feedback;
    try {
      feedback = PushJson.read(value, PushFeedback.class);
    } catch (RuntimeException malformed) {
      log.warn("skipping a push feedback record that is not valid JSON of schema {}: {}", PushFeedback.SCHEMA,
          malformed.getMessage());
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    if (feedback.user() == null || feedback.deviceId() == null || feedback.token() == null) {
      log.warn("skipping a push feedback record without user, deviceId or token");
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return inline(sharding.entityRefFor(UserSession.ENTITY_KEY, feedback.user())
        .<Done>ask(replyTo -> new UserSession.RemoveRefusedToken(feedback.deviceId(), feedback.token(), replyTo), askTimeout));
  }
}

package chat.node.push;

import static chat.node.concurrent.Continuations.inline;

import chat.node.metrics.NodeMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.javadsl.SendProducer;

/**
 * Hands push requests to Kafka: an idempotent producer that waits for all in-sync replicas, so a request
 * is either acknowledged by Kafka or its batch fails and is produced again (never silently dropped).
 * Sends run on a dispatcher of their own ({@link #PRODUCER_DISPATCHER}): while the broker is unreachable a
 * send blocks for up to max.block.ms waiting for metadata, and no other work waits behind it.
 */
public final class PushPublisher implements AutoCloseable {

  /** The schema version of the value, also as a record header, so consumers can route before parsing. */
  public static final String SCHEMA_HEADER = "schema";
  static final String PRODUCER_DISPATCHER = "chat.push.kafka.producer-dispatcher";

  private final SendProducer<String, byte[]> producer;
  private final KafkaClientMetrics producerMetrics;
  private final NodeMetrics metrics;

  public PushPublisher(ActorSystem<?> system, PushPipelineSettings settings) {
    ProducerSettings<String, byte[]> producerSettings = producerSettings(
        system.settings().config().getConfig("pekko.kafka.producer"), settings);
    // built here rather than by SendProducer, so that its metrics can be bound to the node's registry
    var kafkaProducer = producerSettings.createKafkaProducer();
    this.metrics = NodeMetrics.get(system);
    this.producerMetrics = new KafkaClientMetrics(kafkaProducer);
    producerMetrics.bindTo(metrics.registry());
    this.producer = new SendProducer<>(producerSettings.withProducer(kafkaProducer), system);
  }

  /**
   * Completes when Kafka acknowledged every request, or fails if any was not. {@code traced} starts the
   * producer span of a request about a traced message (null for others): its context goes into the record's
   * headers ({@code traceparent}), and it ends when Kafka acknowledged the record.
   */
  public CompletionStage<Done> publish(
      List<PushRequest> requests, Function<PushRequest, chat.node.tracing.NodeTracing.ProduceSpan> traced) {
    List<CompletableFuture<?>> sent = new ArrayList<>(requests.size());
    for (PushRequest request : requests) {
      ProducerRecord<String, byte[]> record = new ProducerRecord<>(PushTopics.REQUESTS, request.user(), PushJson.write(request));
      record.headers().add(SCHEMA_HEADER, Integer.toString(request.schema()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      var span = traced.apply(request);
      if (span == null) {
        sent.add(inline(producer.send(record)));
        continue;
      }
      span.inject((name, value) -> record.headers().add(name, value.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      sent.add(inline(producer.send(record)).whenComplete((metadata, failure) -> span.end(failure)));
    }
    return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).thenApply(all -> {
      requests.forEach(request -> metrics.pushProduced(request.sentAt()));
      return Done.getInstance();
    });
  }

  @Override
  public void close() {
    producer.close();
    producerMetrics.close();
  }

  /**
   * The pipeline's producer: the node's client block (security and the like), the pipeline's own settings
   * (idempotent, acks=all, bounded blocking), then the producer block over all of them.
   * {@code pekkoKafkaProducer}: the {@code pekko.kafka.producer} block of the actor system's settings.
   */
  static ProducerSettings<String, byte[]> producerSettings(Config pekkoKafkaProducer, PushPipelineSettings settings) {
    ProducerSettings<String, byte[]> producerSettings = ProducerSettings
        .create(pekkoKafkaProducer, new StringSerializer(), new ByteArraySerializer())
        .withProperties(settings.client())
        .withBootstrapServers(settings.bootstrapServers())
        .withProperty(ProducerConfig.ACKS_CONFIG, "all")
        .withProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
        .withProperty(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5")
        // a batch that Kafka does not take within this fails and is produced again from the stored offset
        .withProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000")
        .withProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000")
        .withProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000")
        .withProperty(ProducerConfig.LINGER_MS_CONFIG, "5")
        .withProperty(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000")
        .withDispatcher(PRODUCER_DISPATCHER);
    for (var property : settings.producer().entrySet()) {
      producerSettings = producerSettings.withProperty(property.getKey(), property.getValue());
    }
    return producerSettings;
  }
}

package chat.node.testing;

import chat.node.push.PushJson;
import chat.node.push.PushRequest;
import chat.node.push.PushTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the push request topic from its beginning, as the push pipeline's consumer would, keeping the
 * requests of the given users only (other tests' users share the broker).
 */
public final class PushRecords implements AutoCloseable {

  private final KafkaConsumer<String, byte[]> consumer;
  private final Set<String> users;
  private final List<PushRequest> received = new ArrayList<>();

  public PushRecords(String bootstrapServers, Set<String> users) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.consumer.subscribe(List.of(PushTopics.REQUESTS));
    this.users = Set.copyOf(users);
  }

  /** Polls until {@code done} holds for what was received so far, or fails after {@code timeout}. */
  public List<PushRequest> awaitUntil(Predicate<List<PushRequest>> done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.test(received)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("push requests not as expected within " + timeout + "; got " + received);
      }
      pollOnce(Duration.ofMillis(200));
    }
    return List.copyOf(received);
  }

  /** Polls for {@code duration} and returns everything received so far. */
  public List<PushRequest> drainFor(Duration duration) {
    long deadline = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() < deadline) {
      pollOnce(Duration.ofMillis(200));
    }
    return List.copyOf(received);
  }

  private void pollOnce(Duration timeout) {
    for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
      if (users.contains(record.key())) {
        PushRequest request = PushJson.read(record.value(), PushRequest.class);
        if (!record.key().equals(request.user())) {
          throw new AssertionError("record keyed " + record.key() + " holds a request for " + request.user());
        }
        received.add(request);
      }
    }
  }

  /** The seqs of {@code user}'s requests in {@code roomId}, after dropping repeats by dedup key. */
  public static Set<Long> seqsOf(List<PushRequest> requests, String user, String roomId) {
    return requests.stream()
        .filter(r -> r.user().equals(user) && r.roomId().equals(roomId))
        .map(PushRequest::seq)
        .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
  }

  @Override
  public void close() {
    consumer.close();
  }
}

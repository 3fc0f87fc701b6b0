package chat.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Checks that a run left a push request on Kafka for every message and every offline member: reads the
 * push request topic from its beginning (its own consumer group, committing nothing) until every
 * expected (member, seq) pair was seen or the time is up.
 */
final class PushAudit {

  static final String TOPIC = "chat.push.requests.v1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code found} counts distinct (member, seq) pairs; {@code records} all matching records, repeats included. */
  record Result(long expected, long found, long records, Duration took) {

    long missing() {
      return expected - found;
    }

    String render() {
      return String.format("push requests: expected=%d found=%d missing=%d records=%d (repeats %d) in %.1fs",
          expected, found, missing(), records, records - found, took.toMillis() / 1000.0);
    }
  }

  static Result audit(String bootstrapServers, String roomId, List<String> offline, long firstSeq, long lastSeq,
      Duration timeout) {
    Set<String> users = Set.copyOf(offline);
    long expected = (lastSeq - firstSeq + 1) * users.size();
    Map<String, Set<Long>> seen = new HashMap<>();
    long records = 0;
    long found = 0;
    long started = System.nanoTime();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "push-audit-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      while (found < expected && System.nanoTime() - started < timeout.toNanos()) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (!users.contains(record.key())) {
            continue;
          }
          JsonNode request = parse(record.value());
          long seq = request.path("seq").asLong();
          if (!roomId.equals(request.path("roomId").asText()) || seq < firstSeq || seq > lastSeq) {
            continue;
          }
          records++;
          if (seen.computeIfAbsent(record.key(), u -> new HashSet<>()).add(seq)) {
            found++;
          }
        }
      }
    }
    return new Result(expected, found, records, Duration.ofNanos(System.nanoTime() - started));
  }

  private static JsonNode parse(byte[] value) {
    try {
      return JSON.readTree(value);
    } catch (IOException e) {
      throw new IllegalStateException("a push request that is not JSON on " + TOPIC, e);
    }
  }

  private PushAudit() {}
}

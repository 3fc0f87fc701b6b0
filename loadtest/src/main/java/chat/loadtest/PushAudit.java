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
 * expected (room, member, seq) was seen or the time is up.
 */
final class PushAudit {

  static final String TOPIC = "chat.push.requests.v1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A room's offline members should each have a push request for every seq in {@code firstSeq..lastSeq}. */
  record Expected(String roomId, List<String> offline, long firstSeq, long lastSeq) {}

  /** {@code found} counts distinct (room, member, seq); {@code records} all matching records, repeats included. */
  record Result(long expected, long found, long records, double seconds) {

    long missing() {
      return expected - found;
    }

    String render() {
      return String.format("push requests: expected=%d found=%d missing=%d records=%d (repeats %d) in %.1fs",
          expected, found, missing(), records, records - found, seconds);
    }
  }

  static Result audit(String bootstrapServers, List<Expected> rooms, Duration timeout) {
    Map<String, Expected> byRoom = new HashMap<>();
    long expected = 0;
    for (Expected e : rooms) {
      byRoom.put(e.roomId(), e);
      expected += (e.lastSeq() - e.firstSeq() + 1) * Set.copyOf(e.offline()).size();
    }
    Set<String> seen = new HashSet<>();
    long records = 0;
    long started = System.nanoTime();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "push-audit-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      while (seen.size() < expected && System.nanoTime() - started < timeout.toNanos()) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          JsonNode request = parse(record.value());
          Expected room = byRoom.get(request.path("roomId").asText());
          long seq = request.path("seq").asLong();
          if (room == null || !room.offline().contains(record.key()) || seq < room.firstSeq() || seq > room.lastSeq()) {
            continue;
          }
          records++;
          seen.add(room.roomId() + "\n" + record.key() + "\n" + seq);
        }
      }
    }
    return new Result(expected, seen.size(), records, Math.round((System.nanoTime() - started) / 1e8) / 10.0);
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

package chat.node.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.testkit.CassandraExtension;
import chat.cassandra.testkit.TestCassandra;
import chat.kafka.testkit.KafkaExtension;
import chat.kafka.testkit.TestKafka;
import chat.node.push.PushJson;
import chat.node.push.PushRequest;
import chat.node.push.PushTopics;
import chat.node.testing.Await;
import chat.node.testing.Device;
import chat.node.testing.TestNode;
import chat.protocol.AckResult;
import chat.protocol.PushPlatform;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One message's trace on a real node, with the journal in a real Cassandra and push requests on a real
 * Kafka: the send, its journal write, its delivery to each recipient connection and the push request for
 * the offline member form one trace, and the push request's record carries the trace on to a dispatcher.
 */
@ExtendWith({CassandraExtension.class, KafkaExtension.class})
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TracingIT {

  private static final AttributeKey<String> ROOM = AttributeKey.stringKey("chat.room.id");
  private static final AttributeKey<String> USER = AttributeKey.stringKey("chat.user.id");
  private static final AttributeKey<String> CLIENT_MSG_ID = AttributeKey.stringKey("chat.client_msg_id");
  private static final AttributeKey<Long> SEQ = AttributeKey.longKey("chat.seq");

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private OpenTelemetrySdk sdk;

  @BeforeEach
  void sdk() {
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .build();
  }

  @AfterEach
  void closeSdk() {
    sdk.close();
  }

  private static Map<String, Object> pushOn(TestKafka kafka) {
    return Map.of(
        "chat.push.enabled", true,
        "chat.push.kafka.bootstrap-servers", kafka.bootstrapServers(),
        "chat.push.ack-window", "1s",
        "chat.push.batch-window", "100ms");
  }

  @Test
  void aMessagesSendWriteDeliveriesAndPushRequestAreOneTraceThatContinuesInKafka(
      TestCassandra cassandra, TestKafka kafka) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String alice = "trace-alice-" + suffix;
    String bob = "trace-bob-" + suffix;      // online: the message is delivered to his connection
    String carol = "trace-carol-" + suffix;  // offline, a phone registered earlier: pushed
    String body = "a body that no span may carry " + suffix;
    try (TestNode node = TestNode.start(cassandra, pushOn(kafka), NodeTracing.using(sdk));
         KafkaConsumer<String, byte[]> requests = consumer(kafka)) {
      try (Device carolPhone = Device.connect(node, carol, "carol-phone")) {
        Await.result(carolPhone.client().registerPush(PushPlatform.FCM, "fcm-token-of-carol"));
      }
      try (Device aliceLaptop = Device.connect(node, alice, "alice-laptop");
           Device bobLaptop = Device.connect(node, bob, "bob-laptop")) {
        String roomId = Await.result(aliceLaptop.client().createRoom("trace-" + suffix, "Traced", List.of(bob, carol), null))
            .room().roomId();
        bobLaptop.awaitSeq(roomId, 1, Duration.ofSeconds(10));

        AckResult.Sent ack = Await.result(aliceLaptop.client().send(roomId, "traced-1", body));
        bobLaptop.awaitSeq(roomId, ack.seq(), Duration.ofSeconds(10));

        ConsumerRecord<String, byte[]> record = awaitRecord(requests, carol, roomId, ack.seq(), Duration.ofSeconds(60));
        List<SpanData> trace = awaitSpans(all -> count(all, "chat.send") == 1 && count(all, "chat.persist") == 1
            && count(all, "chat.deliver") >= 2 && pushSpanOf(all, carol) != null, Duration.ofSeconds(30));

        SpanData send = only(trace, "chat.send");
        String traceId = send.getTraceId();
        assertEquals(SpanKind.SERVER, send.getKind());
        assertFalse(send.getParentSpanContext().isValid(), "the send starts the trace");
        assertEquals(roomId, send.getAttributes().get(ROOM));
        assertEquals(alice, send.getAttributes().get(USER));
        assertEquals("traced-1", send.getAttributes().get(CLIENT_MSG_ID));
        assertEquals(ack.seq(), send.getAttributes().get(SEQ));

        SpanData persist = only(trace, "chat.persist");
        assertChildOf(send, persist);
        assertEquals(ack.seq(), persist.getAttributes().get(SEQ));
        assertEquals(roomId, persist.getAttributes().get(ROOM));

        List<SpanData> deliveries = trace.stream().filter(s -> s.getName().equals("chat.deliver")).toList();
        deliveries.forEach(d -> assertChildOf(send, d));
        deliveries.forEach(d -> assertEquals(ack.seq(), d.getAttributes().get(SEQ)));
        assertEquals(Set.of(alice, bob), deliveries.stream().map(d -> d.getAttributes().get(USER)).collect(Collectors.toSet()),
            "one delivery per recipient connection, the sender's own included");
        assertTrue(deliveries.stream().allMatch(d -> Boolean.TRUE.equals(d.getAttributes().get(AttributeKey.booleanKey("chat.queued")))));

        SpanData produce = pushSpanOf(trace, carol);
        assertChildOf(send, produce);
        assertEquals(SpanKind.PRODUCER, produce.getKind());
        assertEquals(PushTopics.REQUESTS, produce.getAttributes().get(AttributeKey.stringKey("messaging.destination.name")));
        assertEquals(ack.seq(), produce.getAttributes().get(SEQ));

        Header traceparent = record.headers().lastHeader("traceparent");
        assertTrue(traceparent != null, "the push request's record carries the trace");
        String[] w3c = new String(traceparent.value(), StandardCharsets.US_ASCII).split("-");
        assertEquals(List.of("00", traceId, produce.getSpanId()), List.of(w3c[0], w3c[1], w3c[2]),
            "version, trace id and parent span (the producer span) of the traceparent");
        assertEquals(1, Integer.parseInt(w3c[3], 16) & 1, "the trace is sampled");

        for (SpanData span : trace) {
          span.getAttributes().forEach((key, value) -> assertFalse(String.valueOf(value).contains(body),
              span.getName() + " carries the message body in " + key));
        }
      }
    }
  }

  private static void assertChildOf(SpanData parent, SpanData child) {
    assertEquals(parent.getTraceId(), child.getTraceId(), child.getName() + " is in the send's trace");
    assertEquals(parent.getSpanId(), child.getParentSpanId(), child.getName() + " is a child of " + parent.getName());
  }

  private static long count(List<SpanData> spans, String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).count();
  }

  private static SpanData only(List<SpanData> spans, String name) {
    List<SpanData> named = spans.stream().filter(s -> s.getName().equals(name)).toList();
    assertEquals(1, named.size(), name + ": " + named);
    return named.get(0);
  }

  private static SpanData pushSpanOf(List<SpanData> spans, String user) {
    return spans.stream()
        .filter(s -> s.getName().equals("chat.push.produce") && user.equals(s.getAttributes().get(USER)))
        .findFirst().orElse(null);
  }

  /** The spans ended so far (only this test's node exports here), once {@code done} holds for them. */
  private List<SpanData> awaitSpans(Predicate<List<SpanData>> done, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<SpanData> ended = List.copyOf(spans.getFinishedSpanItems());
      if (done.test(ended)) {
        return ended;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("spans not as expected within " + timeout + ": " + ended);
      }
      Thread.sleep(100);
    }
  }

  private static KafkaConsumer<String, byte[]> consumer(TestKafka kafka) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(PushTopics.REQUESTS));
    return consumer;
  }

  /** The first push request record for {@code user} about {@code roomId}'s {@code seq}. */
  private static ConsumerRecord<String, byte[]> awaitRecord(
      KafkaConsumer<String, byte[]> consumer, String user, String roomId, long seq, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        if (user.equals(record.key())) {
          PushRequest request = PushJson.read(record.value(), PushRequest.class);
          if (request.roomId().equals(roomId) && request.seq() == seq) {
            return record;
          }
        }
      }
    }
    throw new AssertionError("no push request for " + user + " about " + roomId + ":" + seq + " within " + timeout);
  }
}

package chat.node.push.dispatch;

import chat.node.push.PushJson;
import static chat.node.push.dispatch.PushRequests.apns;
import static chat.node.push.dispatch.PushRequests.fcm;
import static chat.node.push.dispatch.PushRequests.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import chat.kafka.testkit.KafkaExtension;
import chat.kafka.testkit.TestKafka;
import chat.node.push.PushFeedback;
import chat.node.push.PushRequest;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher against the test run's real Kafka broker and a local FCM/APNs stand-in, wired as the process
 * wires it ({@link DispatcherMain#init}). Every test has its own topics and consumer group, so nothing another
 * test (or test class) produced is read.
 */
@ExtendWith({KafkaExtension.class, LogCapturingExtension.class})
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PushDispatcherIT {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static TestKafka kafka;
  private static FakePushPlatforms platforms;
  private static KafkaProducer<String, String> producer;

  private final List<ActorSystem<Void>> systems = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private String id;
  private String requestsTopic;
  private String feedbackTopic;

  @BeforeAll
  static void startPlatformsAndProducer(TestKafka testKafka) throws Exception {
    kafka = testKafka;
    platforms = FakePushPlatforms.start();
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  @AfterAll
  static void stopPlatformsAndProducer() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    if (platforms != null) {
      platforms.close();
    }
  }

  @BeforeEach
  void createTopics() throws Exception {
    id = UUID.randomUUID().toString().substring(0, 8);
    requestsTopic = "it.push.requests." + id;
    feedbackTopic = "it.push.feedback." + id;
    try (Admin admin = kafka.newAdmin()) {
      admin.createTopics(List.of(new NewTopic(requestsTopic, 3, (short) 1), new NewTopic(feedbackTopic, 1, (short) 1)))
          .all().get(30, TimeUnit.SECONDS);
    }
    logged.start();
    rootLogger().addAppender(logged);
  }

  @AfterEach
  void stopDispatchers() {
    platforms.renewCredentials();
    for (ActorSystem<Void> system : systems) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().orTimeout(40, TimeUnit.SECONDS).join();
    }
    rootLogger().detachAppender(logged);
  }

  @Test
  void aRequestProducedTwiceReachesEachDeviceOnceAndOneUsersRequestsStayInOrder() throws Exception {
    String user = "bob-" + id;
    PushRequest first = group("room-" + id, 1, user, "hello there", now(),
        fcm("phone", "fcm-" + user), apns("iphone", "apns-" + user));
    PushRequest second = group("room-" + id, 2, user, "second one", now(),
        fcm("phone", "fcm-" + user), apns("iphone", "apns-" + user));
    PushDispatcher dispatcher = startDispatcher("it-dispatcher-" + id);

    produce(first);
    produce(first);
    produce(second);
    produce(first);

    eventually(() -> assertEquals(2, dispatcher.counters().duplicates()));
    for (PushRequest request : List.of(first, second)) {
      assertEquals(1, platforms.delivered(request.dedupKey(), "fcm-" + user), request.dedupKey());
      assertEquals(1, platforms.delivered(request.dedupKey(), "apns-" + user), request.dedupKey());
    }
    assertEquals(4, dispatcher.counters().sent());
    List<FakePushPlatforms.Call> toPhone = platforms.callsTo("fcm-" + user);
    assertEquals(List.of(first.dedupKey(), second.dedupKey()), toPhone.stream().map(c -> c.dedupKey()).toList());
    assertEquals("hello there", toPhone.get(0).body().at("/message/notification/body").asText());

    FakePushPlatforms.Call toIphone = platforms.callsTo("apns-" + user).get(0);
    assertEquals("chat.it", toIphone.headers().get("apns-topic"));
    assertEquals("alert", toIphone.headers().get("apns-push-type"));
    assertEquals(Digests.sha256Hex(first.dedupKey()), toIphone.headers().get("apns-collapse-id"));
    assertNothingLoggedContains("hello there", "second one", "fcm-" + user, "apns-" + user);
  }

  @Test
  void anUnavailablePlatformIsRetriedAfterItsRetryAfterAndDeliversOnce() throws Exception {
    String user = "carol-" + id;
    platforms.failFirst("fcm-" + user, 2, 1);
    platforms.failFirst("apns-" + user, 1, 1);
    PushRequest request = group("room-" + id, 1, user, "are you there", now(),
        fcm("phone", "fcm-" + user), apns("iphone", "apns-" + user));
    PushDispatcher dispatcher = startDispatcher("it-dispatcher-" + id);

    produce(request);

    eventually(() -> assertEquals(2, dispatcher.counters().sent()));
    List<FakePushPlatforms.Call> calls = platforms.callsTo("fcm-" + user);
    assertEquals(List.of(503, 503, 200), calls.stream().map(c -> c.status()).toList());
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(calls.get(1).atNanos() - calls.get(0).atNanos());
    assertTrue(waitedMillis >= 950, "Retry-After: 1 not honoured, retried after " + waitedMillis + " ms");
    assertEquals(List.of(503, 200), platforms.callsTo("apns-" + user).stream().map(c -> c.status()).toList());
    assertEquals(1, platforms.delivered(request.dedupKey(), "fcm-" + user));
    assertEquals(0, dispatcher.counters().failed());
  }

  @Test
  void anInvalidTokenIsReportedOnceOnTheFeedbackTopic() throws Exception {
    String user = "dave-" + id;
    platforms.unregister("fcm-old-" + user);
    platforms.unregister("apns-old-" + user);
    PushRequest request = group("room-" + id, 1, user, "hi", now(), fcm("old-phone", "fcm-old-" + user),
        apns("old-iphone", "apns-old-" + user), fcm("phone", "fcm-" + user));
    PushDispatcher dispatcher = startDispatcher("it-dispatcher-" + id);

    produce(request);
    produce(request);

    eventually(() -> assertEquals(1, dispatcher.counters().duplicates()));
    assertEquals(2, dispatcher.counters().invalidTokens());
    assertEquals(1, platforms.delivered(request.dedupKey(), "fcm-" + user));
    List<ConsumerRecord<String, String>> records = readAll(feedbackTopic, 2);
    Map<String, PushFeedback> byDevice = new HashMap<>();
    for (ConsumerRecord<String, String> record : records) {
      assertEquals(user, record.key());
      PushFeedback feedback = PushJson.MAPPER.readValue(record.value(), PushFeedback.class);
      byDevice.put(feedback.deviceId(), feedback);
      assertEquals(PushFeedback.SCHEMA, feedback.schema());
      assertEquals(user, feedback.user());
    }
    assertEquals(2, records.size(), "exactly one feedback record per refused token");
    assertEquals("fcm-old-" + user, byDevice.get("old-phone").token());
    assertEquals("fcm", byDevice.get("old-phone").platform());
    assertEquals("UNREGISTERED", byDevice.get("old-phone").reason());
    assertEquals("apns-old-" + user, byDevice.get("old-iphone").token());
    assertEquals("apns", byDevice.get("old-iphone").platform());
    assertEquals("Unregistered", byDevice.get("old-iphone").reason());
    assertNothingLoggedContains("fcm-old-" + user, "apns-old-" + user);
  }

  @Test
  void malformedRecordsAreSkippedAndLaterOnesStillFlow() throws Exception {
    String user = "erin-" + id;
    PushDispatcher dispatcher = startDispatcher("it-dispatcher-" + id);
    PushRequest good = group("room-" + id, 1, user, "still here", now(), fcm("phone", "fcm-" + user));
    String noVersion = PushJson.writeString(good).replace("\"schema\":1,", "\"schema\":0,");
    assertTrue(noVersion.contains("\"schema\":0,"));
    // a later version only adds fields (docs/push.md): read, with what it added ignored
    PushRequest next = group("room-" + id, 2, user, "from a newer node", now(), fcm("phone", "fcm-" + user));
    String laterVersion = PushJson.writeString(next)
        .replace("\"schema\":1,", "\"schema\":2,\"threadId\":\"t-1\",\"sound\":{\"name\":\"ping\"},");
    assertTrue(laterVersion.contains("\"schema\":2,"));

    produce(user, "{\"preview\": \"private words, and not JSON");
    produce(user, noVersion);
    produce(user, null);
    produce(user, "[1, 2, 3]");
    produce(good);
    produce(user, laterVersion);

    eventually(() -> assertEquals(1, platforms.delivered(next.dedupKey(), "fcm-" + user)));
    assertEquals(1, platforms.delivered(good.dedupKey(), "fcm-" + user));
    assertEquals(4, dispatcher.counters().malformed());
    assertEquals(6, dispatcher.counters().received());
    assertNothingLoggedContains("private words", "still here", "from a newer node");
    assertTrue(logged.list.stream().anyMatch(e -> e.getFormattedMessage().contains("schema version missing")));
  }

  @Test
  void refusedCredentialsHoldTheRequestsUncommittedUntilTheyWorkAgainThenEachIsDeliveredOnce() throws Exception {
    String user = "ivy-" + id;
    platforms.expireCredentials();
    PushRequest first = group("room-" + id, 1, user, "held one", now(),
        fcm("phone", "fcm-" + user), apns("iphone", "apns-" + user));
    PushRequest second = group("room-" + id, 2, user, "held two", now(),
        fcm("phone", "fcm-" + user), apns("iphone", "apns-" + user));
    String group = "it-dispatcher-" + id;
    PushDispatcher dispatcher = startDispatcher(group, Map.of(
        "chat.push.dispatcher.retry.attempts", "2",
        "chat.push.dispatcher.restart.max-backoff", "500ms",
        "chat.push.dispatcher.stats-interval", "1m"));

    produce(first);
    produce(second);
    // asked again and again, well beyond retry.attempts, and never given up on
    eventually(() -> {
      assertTrue(platforms.callsTo("fcm-" + user).size() >= 5);
      assertTrue(platforms.callsTo("apns-" + user).size() >= 5);
    });
    assertEquals(List.of(401), platforms.callsTo("fcm-" + user).stream().map(c -> c.status()).distinct().toList());
    assertEquals(List.of(403), platforms.callsTo("apns-" + user).stream().map(c -> c.status()).distinct().toList());
    assertEquals(Map.of(), committedOffsets(group));
    assertEquals(0, dispatcher.counters().failed());
    assertEquals(0, dispatcher.counters().sent());
    assertEquals(0, dispatcher.counters().invalidTokens());
    assertEquals(2, dispatcher.counters().held(), "the first request's two devices; the second waits behind it");
    assertTrue(dispatcher.counters().unavailable() >= 10);
    List<String> errors = logged.list.stream()
        .filter(e -> e.getLevel() == Level.ERROR)
        .map(ILoggingEvent::getFormattedMessage).toList();
    assertEquals(2, errors.size(), "one ERROR per platform, not one per refusal: " + errors);
    assertTrue(errors.stream().anyMatch(e -> e.startsWith("FCM unavailable (UNAUTHENTICATED)")), errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.startsWith("APNS unavailable (ExpiredProviderToken)")),
        errors.toString());

    platforms.renewCredentials();

    eventually(() -> assertEquals(endOffsets(), committedOffsets(group)));
    for (PushRequest request : List.of(first, second)) {
      assertEquals(1, platforms.delivered(request.dedupKey(), "fcm-" + user), request.dedupKey());
      assertEquals(1, platforms.delivered(request.dedupKey(), "apns-" + user), request.dedupKey());
    }
    List<String> deliveredInOrder = platforms.callsTo("fcm-" + user).stream()
        .filter(c -> c.status() == 200).map(c -> c.dedupKey()).toList();
    assertEquals(List.of(first.dedupKey(), second.dedupKey()), deliveredInOrder);
    assertEquals(4, dispatcher.counters().sent());
    assertEquals(0, dispatcher.counters().failed());
    assertEquals(0, dispatcher.counters().held());
    assertEquals(0, readAll(feedbackTopic, 0).size(), "no token is reported for the platform's refusals");
    assertTrue(logged.list.stream().anyMatch(e -> e.getFormattedMessage().startsWith("FCM available again")));
    assertNothingLoggedContains("held one", "held two", "fcm-" + user, "apns-" + user,
        FakePushPlatforms.FCM_ACCESS_TOKEN, FakePushPlatforms.APNS_PROVIDER_TOKEN);
  }

  @Test
  void withoutAnyCredentialsNothingIsCommittedAndTheNextDispatcherDeliversAll() throws Exception {
    String user = "jack-" + id;
    String group = "it-dispatcher-" + id;
    PushRequest request = group("room-" + id, 1, user, "no credentials", now(),
        fcm("phone", "fcm-" + user), apns("iphone", "apns-" + user));
    // same user, so same partition and after it: would be committed were the first one dropped
    PushRequest noDevices = PushRequests.dm("dm-" + id, 1, user, "nothing to send", now());
    PushDispatcher first = startDispatcher(group, Map.of(
        "chat.push.dispatcher.fcm.access-token", "",
        "chat.push.dispatcher.apns.provider-token", "",
        "chat.push.dispatcher.restart.max-backoff", "500ms"));

    produce(request);
    produce(noDevices);
    eventually(() -> assertEquals(2, first.counters().held()));
    eventually(() -> assertTrue(first.counters().unavailable() >= 6));
    Thread.sleep(500); // a couple of commit intervals
    assertEquals(Map.of(), committedOffsets(group));
    assertEquals(0, first.counters().noDevices(), "the user's next request waits behind the held one");
    assertEquals(0, first.counters().failed());
    assertTrue(platforms.callsTo("fcm-" + user).isEmpty() && platforms.callsTo("apns-" + user).isEmpty());
    assertTrue(logged.list.stream()
        .anyMatch(e -> e.getFormattedMessage().startsWith("FCM unavailable (not configured: no token)")));

    long stopping = System.nanoTime();
    first.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);
    assertTrue(stopMillis < 5_000, "stop waited " + stopMillis + " ms for held sends instead of cutting them short");
    assertEquals(Map.of(), committedOffsets(group));
    assertEquals(0, first.counters().held());

    PushDispatcher second = startDispatcher(group);
    eventually(() -> assertEquals(endOffsets(), committedOffsets(group)));
    assertEquals(1, platforms.delivered(request.dedupKey(), "fcm-" + user));
    assertEquals(1, platforms.delivered(request.dedupKey(), "apns-" + user));
    assertEquals(1, second.counters().noDevices());
    assertNothingLoggedContains("no credentials", "fcm-" + user, "apns-" + user);
  }

  @Test
  void handledRecordsAreCommittedSoTheNextDispatcherOfTheGroupDoesNotRepeatThem() throws Exception {
    String group = "it-dispatcher-" + id;
    PushDispatcher first = startDispatcher(group);
    List<PushRequest> handled = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String user = "user" + i + "-" + id;
      handled.add(group("room-" + id, i + 1, user, "message " + i, now(), fcm("phone", "fcm-" + user)));
    }
    handled.add(PushRequests.dm("dm-" + id, 1, "nobody-" + id, "no devices", now()));
    for (PushRequest request : handled) {
      produce(request);
    }
    eventually(() -> assertEquals(6, first.counters().sent()));
    eventually(() -> assertEquals(1, first.counters().noDevices()));
    first.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(endOffsets(), committedOffsets(group));

    PushDispatcher second = startDispatcher(group);
    PushRequest later = group("room-" + id, 100, "frank-" + id, "later", now(), fcm("phone", "fcm-frank-" + id));
    produce(later);

    eventually(() -> assertEquals(1, platforms.delivered(later.dedupKey(), "fcm-frank-" + id)));
    assertEquals(1, second.counters().received(), "the second dispatcher read only the new record");
    for (PushRequest request : handled.subList(0, 6)) {
      assertEquals(1, platforms.delivered(request.dedupKey(), request.devices().get(0).token()), request.dedupKey());
    }
  }

  @Test
  void aShutdownDuringRetriesLeavesTheRequestUncommittedForTheNextDispatcher() throws Exception {
    String group = "it-dispatcher-" + id;
    String user = "gina-" + id;
    platforms.failFirst("fcm-" + user, 1_000, 2);
    PushRequest request = group("room-" + id, 1, user, "pending", now(), fcm("phone", "fcm-" + user));
    PushDispatcher first = startDispatcher(group);

    produce(request);
    eventually(() -> assertFalse(platforms.callsTo("fcm-" + user).isEmpty()));
    long stopping = System.nanoTime();
    first.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);

    long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);
    assertTrue(stopMillis < 5_000, "stop waited " + stopMillis + " ms for retries instead of cutting them short");
    assertEquals(0, first.counters().failed());
    assertEquals(Map.of(), committedOffsets(group));

    platforms.recover("fcm-" + user);
    PushDispatcher second = startDispatcher(group);
    eventually(() -> assertEquals(1, platforms.delivered(request.dedupKey(), "fcm-" + user)));
    eventually(() -> assertEquals(endOffsets(), committedOffsets(group)));
    assertEquals(1, second.counters().sent());
  }

  @Test
  void aFeedbackRecordThatCannotBeProducedHoldsItsRequestUntilItIs() throws Exception {
    String user = "hank-" + id;
    String missingTopic = feedbackTopic + ".later";
    platforms.unregister("fcm-old-" + user);
    PushRequest request = group("room-" + id, 1, user, "hello", now(), fcm("old-phone", "fcm-old-" + user),
        fcm("phone", "fcm-" + user));
    String group = "it-dispatcher-" + id;
    PushDispatcher dispatcher = startDispatcher(group, Map.of(
        "chat.push.dispatcher.topics.feedback", missingTopic,
        "chat.push.dispatcher.kafka-clients.max.block.ms", "1000"));

    produce(request);
    // the stream fails on the feedback and restarts from the last commit, resuming the request where it was
    eventually(() -> assertTrue(platforms.callsTo("fcm-old-" + user).size() >= 2));
    assertEquals(Map.of(), committedOffsets(group));
    try (Admin admin = kafka.newAdmin()) {
      admin.createTopics(List.of(new NewTopic(missingTopic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    eventually(() -> assertEquals(endOffsets(), committedOffsets(group)));
    assertEquals(1, readAll(missingTopic, 1).size());
    assertEquals(1, platforms.delivered(request.dedupKey(), "fcm-" + user), "the device already pushed is skipped");
    assertTrue(dispatcher.counters().invalidTokens() >= 2);
  }

  private PushDispatcher startDispatcher(String group) {
    return startDispatcher(group, Map.of());
  }

  private PushDispatcher startDispatcher(String group, Map<String, Object> extra) {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("chat.push.kafka.bootstrap-servers", kafka.bootstrapServers());
    overrides.put("chat.push.dispatcher.topics.requests", requestsTopic);
    overrides.put("chat.push.dispatcher.topics.feedback", feedbackTopic);
    overrides.put("chat.push.dispatcher.group-id", group);
    overrides.put("chat.push.dispatcher.retry.min-backoff", "100ms");
    overrides.put("chat.push.dispatcher.retry.max-backoff", "2s");
    overrides.put("chat.push.dispatcher.restart.min-backoff", "200ms");
    overrides.put("chat.push.dispatcher.commit.max-interval", "200ms");
    overrides.put("chat.push.dispatcher.stats-interval", "1s");
    overrides.put("chat.push.dispatcher.drain-timeout", "10s");
    overrides.put("chat.push.dispatcher.fcm.base-url", platforms.baseUrl());
    overrides.put("chat.push.dispatcher.fcm.project-id", FakePushPlatforms.FCM_PROJECT);
    overrides.put("chat.push.dispatcher.fcm.access-token", FakePushPlatforms.FCM_ACCESS_TOKEN);
    overrides.put("chat.push.dispatcher.apns.base-url", platforms.baseUrl());
    overrides.put("chat.push.dispatcher.apns.bundle-id", "chat.it");
    overrides.put("chat.push.dispatcher.apns.provider-token", FakePushPlatforms.APNS_PROVIDER_TOKEN);
    overrides.putAll(extra);
    Config config = DispatcherMain.forDispatcher(ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.load()));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), DispatcherMain.SYSTEM_NAME, config);
    systems.add(system);
    return DispatcherMain.init(system);
  }

  private void produce(PushRequest request) throws Exception {
    produce(request.user(), PushJson.writeString(request));
  }

  private void produce(String key, String value) throws Exception {
    producer.send(new ProducerRecord<>(requestsTopic, key, value)).get(10, TimeUnit.SECONDS);
  }

  /** Every record of {@code topic}: at least {@code expected}, and whatever more arrives within a second after. */
  private List<ConsumerRecord<String, String>> readAll(String topic, int expected) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + UUID.randomUUID());
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
             new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      long settle = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      while (System.nanoTime() < settle) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  private Map<TopicPartition, Long> endOffsets() throws Exception {
    try (Admin admin = kafka.newAdmin()) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < 3; p++) {
        latest.put(new TopicPartition(requestsTopic, p), OffsetSpec.latest());
      }
      Map<TopicPartition, Long> ends = new HashMap<>();
      admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> {
        if (info.offset() > 0) {
          ends.put(tp, info.offset());
        }
      });
      return ends;
    }
  }

  private Map<TopicPartition, Long> committedOffsets(String group) throws Exception {
    try (Admin admin = kafka.newAdmin()) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      Map<TopicPartition, Long> offsets = new HashMap<>();
      committed.forEach((tp, offset) -> offsets.put(tp, offset.offset()));
      return offsets;
    }
  }

  /** Neither previews nor tokens ever reach the log. */
  private void assertNothingLoggedContains(String... secrets) {
    for (ILoggingEvent event : List.copyOf(logged.list)) {
      String text = event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
          : event.getThrowableProxy().getMessage());
      for (String secret : secrets) {
        assertFalse(text.contains(secret), "logged " + secret + ": " + text);
      }
    }
  }

  /** An assertion that may need a broker round trip. */
  private interface Check {
    void run() throws Exception;
  }

  private static void eventually(Check assertion) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private static Logger rootLogger() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}

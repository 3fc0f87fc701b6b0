package chat.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real broker, started, stopped, restarted and killed by {@link KafkaServer} itself (not the test extension). */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaServerIT {

  private static final Duration FAIL_FAST = Duration.ofSeconds(10);
  private static final String TOPIC = "restart-check";

  @TempDir
  Path tempDir;

  @Test
  void servesClientsKeepsDataAcrossRestartsAndKillsAndStopsCleanly() throws Exception {
    KafkaServerConfig config = KafkaServerConfig.builder(tempDir.resolve("kafka")).freePorts().build();
    Path pidFile = config.dataDir().resolve("kafka.pid");

    KafkaServer first = KafkaServer.start(config);
    report("first start (formats the storage)", first.startupDuration());
    assertTrue(first.isRunning());
    assertEquals("127.0.0.1:" + config.port(), first.bootstrapServers());
    assertTrue(Files.isRegularFile(pidFile), "pid file written");
    assertTrue(Files.isRegularFile(config.dataDir().resolve("data").resolve("meta.properties")), "formatted");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, first.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    send(first.bootstrapServers(), "hello");
    assertEquals(List.of("hello"), readAll(first.bootstrapServers(), 1));
    stopAndAssertGone(first, pidFile);
    first.stop(); // idempotent

    KafkaServer second = KafkaServer.start(first.config());
    report("restart (same ports and data)", second.startupDuration());
    assertEquals(first.bootstrapServers(), second.bootstrapServers(), "same ports");
    assertEquals(List.of("hello"), readAll(second.bootstrapServers(), 1), "the record survived the restart");
    send(second.bootstrapServers(), "after restart");

    long killStart = System.nanoTime();
    second.kill();
    report("kill", Duration.ofNanos(System.nanoTime() - killStart));
    assertGone(second.pid());
    assertFalse(Files.exists(pidFile), "pid file removed on kill");

    KafkaServer third = KafkaServer.start(second.config());
    report("restart after kill -9 (log recovery)", third.startupDuration());
    assertEquals(List.of("hello", "after restart"), readAll(third.bootstrapServers(), 2),
        "acknowledged records survive a kill");
    stopAndAssertGone(third, pidFile);
  }

  @Test
  void takenPortFailsFastNamingThePort() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      KafkaServerConfig config = KafkaServerConfig.builder(tempDir.resolve("taken"))
          .port(port).controllerPort(0).build();
      KafkaStartException e = assertFailsFast(config);
      assertTrue(e.getMessage().contains("port " + port), e.getMessage());
      assertTrue(e.getMessage().contains("broker"), e.getMessage());
      assertFalse(Files.exists(config.dataDir().resolve("kafka.pid")), "nothing was started");
    }
  }

  @Test
  void missingClasspathFileSaysHowToCreateIt() {
    KafkaServerConfig config = KafkaServerConfig.builder(tempDir.resolve("data"))
        .classpathFile(tempDir.resolve("missing.classpath")).freePorts().build();
    KafkaStartException e = assertFailsFast(config);
    assertTrue(e.getMessage().contains("mvn -pl kafka/server generate-resources"), e.getMessage());
  }

  private static void stopAndAssertGone(KafkaServer server, Path pidFile) {
    long stopStart = System.nanoTime();
    server.stop();
    report("stop", Duration.ofNanos(System.nanoTime() - stopStart));
    assertFalse(server.isRunning());
    assertGone(server.pid());
    assertFalse(Files.exists(pidFile), "pid file removed on stop");
  }

  private static void send(String bootstrap, String value) throws Exception {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(TOPIC, "user-1", value)).get(30, TimeUnit.SECONDS);
    }
  }

  /** The topic's records from the beginning, without a consumer group: quick, and nothing to commit. */
  private static List<String> readAll(String bootstrap, int expected) {
    TopicPartition partition = new TopicPartition(TOPIC, 0);
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }

  private static KafkaStartException assertFailsFast(KafkaServerConfig config) {
    return assertTimeoutPreemptively(FAIL_FAST,
        () -> assertThrows(KafkaStartException.class, () -> KafkaServer.start(config).close()));
  }

  private static void assertGone(long pid) {
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "Kafka pid " + pid + " gone");
  }

  /** Goes to target/surefire-reports/*-output.txt: startup and stop times on this machine. */
  private static void report(String what, Duration duration) {
    System.out.printf("Kafka %s took %d ms%n", what, duration.toMillis());
  }
}

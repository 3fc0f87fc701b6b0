package chat.kafka.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The test kit as a test uses it: the shared broker, the topic helper, and an outage in the middle. */
@ExtendWith(KafkaExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaExtensionIT {

  private final TestKafka kafka;

  KafkaExtensionIT(TestKafka kafka) {
    this.kafka = kafka;
  }

  @Test
  void theSameBrokerIsInjectedEverywhere(TestKafka parameter) {
    assertEquals(kafka, parameter);
    assertTrue(kafka.isRunning());
  }

  @Test
  void topicsAreCreatedExplicitlyAndIdempotently() throws Exception {
    kafka.createTopic("extension-it-topic", 3);
    kafka.createTopic("extension-it-topic", 3);
    try (Admin admin = kafka.newAdmin()) {
      assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("extension-it-topic"));
      assertEquals(3, admin.describeTopics(Set.of("extension-it-topic")).allTopicNames().get(30, TimeUnit.SECONDS)
          .get("extension-it-topic").partitions().size());
    }
  }

  @Test
  void anOwnedBrokerComesBackWhereItWasAfterAStopAndAKill() throws Exception {
    assumeTrue(kafka.isOwned(), "an external broker cannot be stopped");
    String bootstrap = kafka.bootstrapServers();
    long pid = kafka.server().orElseThrow().pid();

    kafka.stop();
    assertFalse(kafka.isRunning());
    assertTrue(kafka.server().isEmpty());
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "stopped broker is gone");
    kafka.start();
    assertEquals(bootstrap, kafka.bootstrapServers());

    long restartedPid = kafka.server().orElseThrow().pid();
    kafka.kill();
    assertFalse(ProcessHandle.of(restartedPid).map(ProcessHandle::isAlive).orElse(false), "killed broker is gone");
    kafka.start();
    kafka.createTopic("extension-it-after-kill");
    try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
      assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("extension-it-after-kill"));
    }
  }
}

package chat.node.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * {@code chat.push.kafka.client} reaches every Kafka client of the node (a secured cluster needs its
 * security settings on the producer, the feedback consumer and the admin client alike), without taking
 * over what the pipeline relies on.
 */
class KafkaClientSettingsTest {

  private static final Config CONFIG = ConfigFactory.parseString("""
      chat.push.kafka.bootstrap-servers = "broker:9093"
      chat.push.kafka.client {
        security.protocol = SASL_SSL
        "sasl.jaas.config" = "jaas line"
        group.id = "someone-else"
        enable.auto.commit = true
        acks = 1
      }
      chat.push.kafka.producer { linger.ms = 20 }
      """).withFallback(ConfigFactory.load()).resolve();
  private static final PushPipelineSettings SETTINGS = PushPipelineSettings.fromConfig(CONFIG);

  @Test
  void theProducerHasTheClientBlockUnderThePipelinesOwnSettingsAndTheProducerBlockOverThem() {
    Map<String, Object> p = PushPublisher.producerSettings(CONFIG.getConfig("pekko.kafka.producer"), SETTINGS)
        .getProperties();
    assertHasTheClientBlock(p);
    assertEquals("all", p.get("acks"), "acks=all is the pipeline's; the client block does not lower it");
    assertEquals("20", p.get("linger.ms"));
  }

  @Test
  void theFeedbackConsumerHasTheClientBlockAndKeepsItsGroupAndManualCommits() {
    Map<String, Object> c = PushFeedbackConsumer.consumerSettings(CONFIG.getConfig("pekko.kafka.consumer"), SETTINGS)
        .getProperties();
    assertHasTheClientBlock(c);
    assertEquals(PushFeedbackConsumer.GROUP, c.get("group.id"));
    assertEquals("false", c.get("enable.auto.commit"), "an offset is committed only once its feedback is applied");
    assertEquals("earliest", c.get("auto.offset.reset"));
  }

  @Test
  void theAdminClientThatCreatesTheTopicsHasTheClientBlock() {
    Properties a = PushTopicSetup.adminProperties(SETTINGS);
    assertHasTheClientBlock(a);
  }

  /** The security settings of the client block, and the address of the push settings. */
  private static void assertHasTheClientBlock(Map<?, ?> properties) {
    assertEquals("SASL_SSL", properties.get("security.protocol"));
    assertEquals("jaas line", properties.get("sasl.jaas.config"));
    assertEquals("broker:9093", properties.get("bootstrap.servers"));
  }
}

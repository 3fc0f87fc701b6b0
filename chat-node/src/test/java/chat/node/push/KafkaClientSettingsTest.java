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
    assertEquals("SASL_SSL", p.get("security.protocol"));
    assertEquals("jaas line", p.get("sasl.jaas.config"));
    assertEquals("all", p.get("acks"), "acks=all is the pipeline's; the client block does not lower it");
    assertEquals("20", p.get("linger.ms"));
    assertEquals("broker:9093", p.get("bootstrap.servers"));
  }

  @Test
  void theFeedbackConsumerHasTheClientBlockAndKeepsItsGroupAndManualCommits() {
    Map<String, Object> c = PushFeedbackConsumer.consumerSettings(CONFIG.getConfig("pekko.kafka.consumer"), SETTINGS)
        .getProperties();
    assertEquals("SASL_SSL", c.get("security.protocol"));
    assertEquals("jaas line", c.get("sasl.jaas.config"));
    assertEquals(PushFeedbackConsumer.GROUP, c.get("group.id"));
    assertEquals("false", c.get("enable.auto.commit"), "an offset is committed only once its feedback is applied");
    assertEquals("earliest", c.get("auto.offset.reset"));
    assertEquals("broker:9093", c.get("bootstrap.servers"));
  }

  @Test
  void theAdminClientThatCreatesTheTopicsHasTheClientBlock() {
    Properties a = PushTopicSetup.adminProperties(SETTINGS);
    assertEquals("SASL_SSL", a.get("security.protocol"));
    assertEquals("jaas line", a.get("sasl.jaas.config"));
    assertEquals("broker:9093", a.get("bootstrap.servers"));
  }
}

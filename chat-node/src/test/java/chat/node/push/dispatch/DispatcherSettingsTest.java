package chat.node.push.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.node.push.PushTopics;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DispatcherSettingsTest {

  @Test
  void defaultsPointAtTheRealPlatformsAndTheNodesTopics() {
    DispatcherSettings settings = settings(Map.of());
    assertEquals(PushTopics.REQUESTS, settings.requestsTopic());
    assertEquals(PushTopics.FEEDBACK, settings.feedbackTopic());
    assertEquals("chat-push-dispatcher", settings.groupId());
    assertEquals("https://fcm.googleapis.com", settings.fcm().baseUrl());
    assertEquals("https://api.push.apple.com", settings.apns().baseUrl());
    assertEquals(5, settings.retry().attempts());
    assertTrue(settings.fcm().accessTokenFile().isEmpty());
  }

  @Test
  void kafkaClientPropertiesKeepTheirDottedNames() {
    DispatcherSettings settings = settings(Map.of(
        "kafka-clients.security.protocol", "SSL",
        "kafka-clients.\"sasl.jaas.config\"", "secret"));
    assertEquals(Map.of("security.protocol", "SSL", "sasl.jaas.config", "secret"), settings.kafkaClients());
    assertFalse(settings.toString().contains("secret"), settings.toString());
  }

  @Test
  void credentialsAreNeverShown() {
    String shown = settings(Map.of(
        "fcm.access-token", "ya29.very-secret",
        "apns.provider-token", "eyJ.very-secret")).toString();
    assertFalse(shown.contains("very-secret"), shown);
  }

  @Test
  void theDispatcherProcessJoinsNoClusterAndHasTimeToDrain() {
    Config config = DispatcherMain.forDispatcher(ConfigFactory.load());
    assertEquals("cluster", ConfigFactory.load().getString("pekko.actor.provider"));
    assertEquals("local", config.getString("pekko.actor.provider"));
    Duration drain = config.getDuration("chat.push.dispatcher.drain-timeout");
    Duration phase = config.getDuration("pekko.coordinated-shutdown.phases.service-requests-done.timeout");
    assertTrue(phase.compareTo(drain) > 0, phase + " leaves no time to drain for " + drain);
  }

  /** The defaults with {@code overrides} (paths below chat.push.dispatcher) laid over. */
  private static DispatcherSettings settings(Map<String, String> overrides) {
    Map<String, String> paths = new HashMap<>();
    overrides.forEach((path, value) -> paths.put(DispatcherSettings.PATH + "." + path, value));
    return DispatcherSettings.fromConfig(ConfigFactory.parseMap(paths).withFallback(ConfigFactory.load()));
  }
}

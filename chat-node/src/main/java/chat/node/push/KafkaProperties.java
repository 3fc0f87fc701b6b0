package chat.node.push;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.util.Map;
import java.util.TreeMap;

/** Kafka client properties from a config block, for the node's push pipeline and the dispatcher alike. */
public final class KafkaProperties {

  private KafkaProperties() {}

  /**
   * Properties are dotted names ({@code security.protocol}), read unsplit. A name written quoted in HOCON
   * ({@code "sasl.jaas.config" = ...}) keeps its quotes in the entry's key; they are dropped, or Kafka would
   * ignore the property without a word.
   */
  public static Map<String, String> from(Config block) {
    Map<String, String> properties = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : block.entrySet()) {
      properties.put(e.getKey().replace("\"", ""), String.valueOf(e.getValue().unwrapped()));
    }
    return properties;
  }
}

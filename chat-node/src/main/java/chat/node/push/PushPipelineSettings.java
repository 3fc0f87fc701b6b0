package chat.node.push;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Map;

/**
 * The node's side of the push pipeline ({@code chat.push} in push.conf): which messages become push
 * requests, when, and how they reach Kafka.
 *
 * @param ackWindow how long after a message its recipients' devices have to acknowledge it before the
 *     recipients who did not are pushed
 * @param tags how many event tags (and projection instances) messages are spread over; see {@link PushTags}
 * @param initialLookback where a tag that has no stored offset yet starts reading: this long before now
 * @param rewind how far before its stored offset a (re)started instance reads, for late tag writes
 * @param producer extra Kafka producer properties, over the pipeline's own
 */
public record PushPipelineSettings(
    boolean enabled,
    String bootstrapServers,
    Duration ackWindow,
    int tags,
    int batchSize,
    Duration batchWindow,
    Duration initialLookback,
    Duration rewind,
    Duration minBackoff,
    Duration maxBackoff,
    boolean createTopics,
    Topic requests,
    Topic feedback,
    Map<String, String> client,
    Map<String, String> producer) {

  /** A topic as the node creates it when missing. */
  public record Topic(String name, int partitions, short replicationFactor, Duration retention) {}

  public static PushPipelineSettings fromConfig(Config root) {
    Config c = root.getConfig("chat.push");
    Config topics = c.getConfig("topics");
    Map<String, String> client = KafkaProperties.from(c.getConfig("kafka.client"));
    Map<String, String> producer = KafkaProperties.from(c.getConfig("kafka.producer"));
    int tags = c.getInt("tags");
    if (tags < 1) {
      throw new IllegalArgumentException("chat.push.tags must be at least 1");
    }
    return new PushPipelineSettings(
        c.getBoolean("enabled"),
        c.getString("kafka.bootstrap-servers"),
        c.getDuration("ack-window"),
        tags,
        c.getInt("batch-size"),
        c.getDuration("batch-window"),
        c.getDuration("initial-lookback"),
        c.getDuration("rewind"),
        c.getDuration("restart.min-backoff"),
        c.getDuration("restart.max-backoff"),
        c.getBoolean("kafka.create-topics"),
        topic(PushTopics.REQUESTS, topics.getConfig("requests")),
        topic(PushTopics.FEEDBACK, topics.getConfig("feedback")),
        Map.copyOf(client),
        Map.copyOf(producer));
  }

  private static Topic topic(String name, Config c) {
    return new Topic(name, c.getInt("partitions"), (short) c.getInt("replication-factor"), c.getDuration("retention"));
  }
}

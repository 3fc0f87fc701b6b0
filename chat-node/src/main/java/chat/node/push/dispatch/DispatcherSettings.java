package chat.node.push.dispatch;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The push dispatcher's settings ({@code chat.push.dispatcher} and {@code chat.push.kafka.bootstrap-servers}),
 * read and checked once at start-up. Every setting is documented in push.conf. The {@code toString} of the
 * platform settings never shows a credential.
 */
public record DispatcherSettings(
    String bootstrapServers,
    String requestsTopic,
    String feedbackTopic,
    String groupId,
    String autoOffsetReset,
    int parallelism,
    int dedupWindow,
    Duration maxAge,
    Retry retry,
    Backoff restart,
    Commit commit,
    Duration statsInterval,
    Duration drainTimeout,
    Http http,
    Fcm fcm,
    Apns apns,
    Map<String, String> kafkaClients) {

  public static final String PATH = "chat.push.dispatcher";

  public DispatcherSettings {
    kafkaClients = Map.copyOf(kafkaClients);
    if (parallelism < 1 || dedupWindow < 1) {
      throw new IllegalArgumentException(PATH + ".parallelism and .dedup-window must be at least 1");
    }
    if (!autoOffsetReset.equals("earliest") && !autoOffsetReset.equals("latest")) {
      throw new IllegalArgumentException(PATH + ".auto-offset-reset must be earliest or latest");
    }
  }

  /** {@code attempts}: calls per device in all, the first included. */
  public record Retry(int attempts, Backoff backoff) {
    public Retry {
      if (attempts < 1) {
        throw new IllegalArgumentException(PATH + ".retry.attempts must be at least 1");
      }
    }
  }

  /** Offsets are committed when this many are pending, or this long after the first pending one. */
  public record Commit(int maxBatch, Duration maxInterval) {}

  public record Http(Duration connectTimeout, Duration requestTimeout) {}

  /** FCM HTTP v1: the OAuth 2 access token comes from {@code accessToken}, or from a file re-read when it changes. */
  public record Fcm(String baseUrl, String projectId, String accessToken, Optional<String> accessTokenFile) {
    @Override
    public String toString() {
      return "Fcm[baseUrl=" + baseUrl + ", projectId=" + projectId + ", accessToken=" + redacted(accessToken)
          + ", accessTokenFile=" + accessTokenFile + "]";
    }
  }

  /** APNs with token-based authentication: the provider JWT from {@code providerToken} or a file. */
  public record Apns(String baseUrl, String bundleId, String providerToken, Optional<String> providerTokenFile) {
    @Override
    public String toString() {
      return "Apns[baseUrl=" + baseUrl + ", bundleId=" + bundleId + ", providerToken=" + redacted(providerToken)
          + ", providerTokenFile=" + providerTokenFile + "]";
    }
  }

  /** Kafka client properties may hold passwords (sasl.jaas.config): only their names are shown. */
  @Override
  public String toString() {
    return "DispatcherSettings[bootstrapServers=" + bootstrapServers + ", requestsTopic=" + requestsTopic
        + ", feedbackTopic=" + feedbackTopic + ", groupId=" + groupId + ", autoOffsetReset=" + autoOffsetReset
        + ", parallelism=" + parallelism + ", dedupWindow=" + dedupWindow + ", maxAge=" + maxAge
        + ", retry=" + retry + ", restart=" + restart + ", commit=" + commit + ", statsInterval=" + statsInterval
        + ", drainTimeout=" + drainTimeout + ", http=" + http + ", fcm=" + fcm + ", apns=" + apns
        + ", kafkaClients=" + kafkaClients.keySet() + "]";
  }

  public static DispatcherSettings fromConfig(Config root) {
    Config d = root.getConfig(PATH);
    Config fcm = d.getConfig("fcm");
    Config apns = d.getConfig("apns");
    return new DispatcherSettings(
        root.getString("chat.push.kafka.bootstrap-servers"),
        d.getString("topics.requests"),
        d.getString("topics.feedback"),
        d.getString("group-id"),
        d.getString("auto-offset-reset"),
        d.getInt("parallelism"),
        d.getInt("dedup-window"),
        d.getDuration("max-age"),
        new Retry(d.getInt("retry.attempts"), backoff(d.getConfig("retry"))),
        backoff(d.getConfig("restart")),
        new Commit(d.getInt("commit.max-batch"), d.getDuration("commit.max-interval")),
        d.getDuration("stats-interval"),
        d.getDuration("drain-timeout"),
        new Http(d.getDuration("http.connect-timeout"), d.getDuration("http.request-timeout")),
        new Fcm(trimSlash(fcm.getString("base-url")), fcm.getString("project-id"), fcm.getString("access-token"),
            optional(fcm.getString("access-token-file"))),
        new Apns(trimSlash(apns.getString("base-url")), apns.getString("bundle-id"), apns.getString("provider-token"),
            optional(apns.getString("provider-token-file"))),
        chat.node.push.KafkaProperties.from(d.getConfig("kafka-clients")));
  }

  private static Backoff backoff(Config c) {
    return new Backoff(c.getDuration("min-backoff"), c.getDuration("max-backoff"), c.getDouble("random-factor"));
  }

  private static Optional<String> optional(String value) {
    return value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  private static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static String redacted(String secret) {
    return secret.isEmpty() ? "(unset)" : "(set)";
  }
}

package chat.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Environment variables that hold lists. HOCON's {@code ${?VAR}} can only substitute a string, so
 * comma-separated lists are read here and laid over the configuration.
 */
public final class EnvironmentOverrides {

  /** Cassandra contact points, e.g. {@code cassandra-0.cassandra:9042,cassandra-1.cassandra:9042}. */
  public static final String CASSANDRA_CONTACT_POINTS = "CASSANDRA_CONTACT_POINTS";
  /** Cluster seed nodes, e.g. {@code pekko://chat@10.0.0.1:25520,pekko://chat@10.0.0.2:25520}. */
  public static final String CHAT_SEED_NODES = "CHAT_SEED_NODES";

  /** Browser origins allowed to open WebSockets, e.g. {@code https://chat.example.com}. */
  public static final String CHAT_ALLOWED_ORIGINS = "CHAT_ALLOWED_ORIGINS";

  /** Every environment variable read here (the .conf files name the others as ${?VAR}). */
  public static final List<String> NAMES = List.of(CASSANDRA_CONTACT_POINTS, CHAT_SEED_NODES, CHAT_ALLOWED_ORIGINS);

  private EnvironmentOverrides() {}

  public static Config from(Map<String, String> env) {
    Map<String, Object> overrides = new HashMap<>();
    list(env, CASSANDRA_CONTACT_POINTS).ifPresent(v -> overrides.put("datastax-java-driver.basic.contact-points", v));
    list(env, CHAT_SEED_NODES).ifPresent(v -> overrides.put("pekko.cluster.seed-nodes", v));
    list(env, CHAT_ALLOWED_ORIGINS).ifPresent(v -> overrides.put("chat.gateway.allowed-origins", v));
    return ConfigFactory.parseMap(overrides);
  }

  private static java.util.Optional<List<String>> list(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
  }
}

package chat.cassandra.journal;

import chat.cassandra.CliArgs;
import chat.cassandra.CliUsageException;
import chat.cassandra.ContactPoints;
import chat.cassandra.SchemaMigrator;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.io.File;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where the journal is: from flags, or from the node's own HOCON config ({@code --config}), flags winning.
 * The config is read only for these values; nothing else of it (and no Pekko) is started.
 */
public record ConnectionOptions(List<InetSocketAddress> contactPoints, String datacenter, String keyspace,
    String username, String password, long partitionSize) {

  public static final String DEFAULT_CONTACT_POINT = "127.0.0.1:9042";
  public static final String DEFAULT_DATACENTER = "datacenter1";
  /** The node's default ({@code chat.cassandra.keyspace}). */
  public static final String DEFAULT_KEYSPACE = "chat";
  /** pekko-persistence-cassandra's {@code journal.target-partition-size} default. */
  public static final long DEFAULT_PARTITION_SIZE = 500_000;
  /** Read when {@code --username} is given without {@code --password}: keeps the secret out of {@code ps}. */
  public static final String PASSWORD_ENV = "CASSANDRA_PASSWORD";

  static final Set<String> VALUE_OPTIONS = Set.of("keyspace", "datacenter", "username", "password", "config",
      "partition-size");
  static final Set<String> REPEATABLE_OPTIONS = Set.of("contact-point");

  static final String USAGE = """
      Connection (read-only unless a command says otherwise; the inspector never starts Pekko or joins the cluster):
        --contact-point <host:port>  a Cassandra node; repeatable or comma-separated (default %s)
        --keyspace <name>            the node's keyspace, chat.cassandra.keyspace (default %s)
        --datacenter <name>          the driver's local datacenter (default %s)
        --username <name>            plain-text authentication, with --password or $%s
        --password <secret>
        --config <file>              read the above (and target-partition-size) from the node's HOCON config,
                                     e.g. application.conf with its includes; flags override it
        --partition-size <n>         the journal's target-partition-size, if not the default %d
      """.formatted(DEFAULT_CONTACT_POINT, DEFAULT_KEYSPACE, DEFAULT_DATACENTER, PASSWORD_ENV, DEFAULT_PARTITION_SIZE);

  public ConnectionOptions {
    contactPoints = List.copyOf(contactPoints);
  }

  /** {@code host:port, host:port} */
  public String where() {
    return contactPoints.stream().map(ContactPoints::format).collect(Collectors.joining(", "));
  }

  static ConnectionOptions from(CliArgs args, Map<String, String> env) {
    Config config = args.value("config").map(ConnectionOptions::readConfig).orElse(ConfigFactory.empty());

    List<String> points = new ArrayList<>();
    args.values("contact-point").forEach(v -> points.addAll(splitList(v)));
    if (points.isEmpty()) {
      points.addAll(configList(config, "datastax-java-driver.basic.contact-points"));
    }
    if (points.isEmpty()) {
      points.add(DEFAULT_CONTACT_POINT);
    }
    List<InetSocketAddress> contactPoints = new ArrayList<>();
    for (String point : points) {
      try {
        contactPoints.add(ContactPoints.parse(point));
      } catch (IllegalArgumentException e) {
        throw new CliUsageException(e.getMessage());
      }
    }

    String datacenter = args.value("datacenter").orElseGet(() ->
        configString(config, "datastax-java-driver.basic.load-balancing-policy.local-datacenter", DEFAULT_DATACENTER));
    String keyspace = args.value("keyspace").orElseGet(() -> configString(config, "chat.cassandra.keyspace",
        configString(config, "pekko.persistence.cassandra.journal.keyspace", DEFAULT_KEYSPACE)));
    try {
      SchemaMigrator.requireValidKeyspace(keyspace);
    } catch (IllegalArgumentException e) {
      throw new CliUsageException(e.getMessage());
    }

    String username = args.value("username").orElseGet(() ->
        configString(config, "datastax-java-driver.advanced.auth-provider.username", null));
    String password = args.value("password").orElseGet(() -> {
      String fromConfig = configString(config, "datastax-java-driver.advanced.auth-provider.password", null);
      return fromConfig != null ? fromConfig : env.get(PASSWORD_ENV);
    });
    if (username != null && password == null) {
      throw new CliUsageException("--username needs a password: --password, $" + PASSWORD_ENV + " or --config");
    }
    if (username == null && args.value("password").isPresent()) {
      throw new CliUsageException("--password without --username");
    }

    long partitionSize;
    String size = args.value("partition-size").orElseGet(() ->
        configString(config, "pekko.persistence.cassandra.journal.target-partition-size", null));
    try {
      partitionSize = size == null ? DEFAULT_PARTITION_SIZE : Long.parseLong(size.strip());
    } catch (NumberFormatException e) {
      throw new CliUsageException("--partition-size must be a number, was '" + size + "'");
    }
    if (partitionSize < 1) {
      throw new CliUsageException("--partition-size must be at least 1, was " + partitionSize);
    }
    return new ConnectionOptions(contactPoints, datacenter, keyspace, username, password, partitionSize);
  }

  /** The file with its includes, substitutions resolved (environment variables too, as the node would). */
  private static Config readConfig(String file) {
    File f = new File(file);
    if (!f.isFile()) {
      throw new CliUsageException("--config: no such file: " + file);
    }
    try {
      return ConfigFactory.parseFile(f, ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
    } catch (ConfigException e) {
      throw new CliUsageException("--config " + file + ": " + e.getMessage());
    }
  }

  private static String configString(Config config, String path, String fallback) {
    try {
      return config.hasPath(path) ? config.getString(path) : fallback;
    } catch (ConfigException e) {
      throw new CliUsageException("--config: " + e.getMessage());
    }
  }

  /** A list, or a string such as an environment variable's {@code ["h1:9042","h2:9042"]} or {@code h1:9042,h2:9042}. */
  private static List<String> configList(Config config, String path) {
    if (!config.hasPath(path)) {
      return List.of();
    }
    try {
      return config.getStringList(path);
    } catch (ConfigException.WrongType notAList) {
      return splitList(config.getString(path));
    }
  }

  private static List<String> splitList(String value) {
    String list = value.strip();
    if (list.startsWith("[") && list.endsWith("]")) {
      list = list.substring(1, list.length() - 1); // a list literal; "[::1]:9042" ends with its port
    }
    List<String> items = new ArrayList<>();
    for (String item : list.split(",")) {
      String trimmed = item.strip().replace("\"", "").replace("'", "");
      if (!trimmed.isEmpty()) {
        items.add(trimmed);
      }
    }
    return items;
  }
}

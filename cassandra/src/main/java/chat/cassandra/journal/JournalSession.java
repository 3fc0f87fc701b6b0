package chat.cassandra.journal;

import chat.cassandra.ContactPoints;
import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import com.datastax.oss.driver.api.core.metadata.EndPoint;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A driver session for the inspector, checked before use: Cassandra reachable, the local datacenter known,
 * the keyspace there with the journal's tables. Each failure says which host, datacenter or keyspace, and
 * what exists instead.
 */
public final class JournalSession implements AutoCloseable {

  /** The journal's tables (schema 001/002); all must exist. */
  static final List<String> TABLES = List.of("messages", "metadata", "all_persistence_ids", "snapshots");

  /** Long scans page through partitions of up to 500,000 rows; a count over one may take a while. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final CqlSession session;
  private final ConnectionOptions options;

  private JournalSession(CqlSession session, ConnectionOptions options) {
    this.session = session;
    this.options = options;
  }

  /** @throws JournalException with a message naming what is wrong (host, datacenter, keyspace, tables) */
  public static JournalSession open(ConnectionOptions options) {
    for (InetSocketAddress point : options.contactPoints()) {
      // the driver would skip it and, with none left, quietly try 127.0.0.1:9042: the wrong Cassandra
      if (point.isUnresolved()) {
        throw new JournalException("Cannot resolve the Cassandra host '" + point.getHostString()
            + "' (contact point " + ContactPoints.format(point) + ")");
      }
    }
    CqlSession session;
    try {
      session = CqlSession.builder().withConfigLoader(configLoader(options)).build();
    } catch (AllNodesFailedException e) {
      throw new JournalException("Cannot connect to Cassandra at " + options.where() + " (local datacenter "
          + options.datacenter() + "): " + describe(e)); // the driver's own message repeats this, verbosely
    }
    try {
      checkDatacenter(session, options);
      checkKeyspace(session, options);
      return new JournalSession(session, options);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /**
   * Everything the inspector needs is set here, so that an application.conf on the classpath (the node's, in
   * its tests) cannot point it elsewhere or make it wait forever for an unreachable host
   * ({@code reconnect-on-init}).
   */
  private static DriverConfigLoader configLoader(ConnectionOptions options) {
    ProgrammaticDriverConfigLoaderBuilder config = DriverConfigLoader.programmaticBuilder()
        .withString(DefaultDriverOption.SESSION_NAME, "journal-inspector")
        .withStringList(DefaultDriverOption.CONTACT_POINTS,
            options.contactPoints().stream().map(ContactPoints::format).toList())
        .withString(DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, options.datacenter())
        .withBoolean(DefaultDriverOption.RECONNECT_ON_INIT, false)
        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, REQUEST_TIMEOUT)
        // what the journal plugin reads and writes at: a lagging replica must not look like a gap, and an
        // import must be as durable as the node's own writes
        .withString(DefaultDriverOption.REQUEST_CONSISTENCY, "QUORUM")
        .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, CONNECT_TIMEOUT)
        // a CLI run closes at once; the default 2 s quiet period only helps long-lived applications
        .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
        .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0);
    if (options.username() != null) {
      config = config
          .withString(DefaultDriverOption.AUTH_PROVIDER_CLASS, "PlainTextAuthProvider")
          .withString(DefaultDriverOption.AUTH_PROVIDER_USER_NAME, options.username())
          .withString(DefaultDriverOption.AUTH_PROVIDER_PASSWORD, options.password());
    }
    return config.build();
  }

  /** One line per host tried: which one, and its first error in words. */
  private static String describe(AllNodesFailedException e) {
    Map<Node, List<Throwable>> errors = e.getAllErrors();
    if (errors.isEmpty()) {
      return e.getMessage();
    }
    return errors.entrySet().stream()
        .map(entry -> host(entry.getKey().getEndPoint()) + ": "
            + (entry.getValue().isEmpty() ? "failed" : reason(entry.getValue().get(0))))
        .collect(Collectors.joining("; "));
  }

  private static String host(EndPoint endPoint) {
    return endPoint.resolve() instanceof InetSocketAddress address ? ContactPoints.format(address)
        : endPoint.toString();
  }

  /**
   * The innermost cause says what happened (refused, timed out, authentication); netty reports a refused or
   * dropped connection as a closed channel without a message, which is worth saying in words.
   */
  private static String reason(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root.getMessage() == null || root.getMessage().isBlank()) {
      return "the connection was refused or closed (" + root.getClass().getSimpleName()
          + "): is Cassandra listening there on its CQL port?";
    }
    return root.getMessage();
  }

  private static void checkDatacenter(CqlSession session, ConnectionOptions options) {
    Set<String> datacenters = session.getMetadata().getNodes().values().stream()
        .map(Node::getDatacenter).filter(dc -> dc != null).collect(Collectors.toCollection(TreeSet::new));
    if (!datacenters.isEmpty() && !datacenters.contains(options.datacenter())) {
      throw new JournalException("No Cassandra node at " + options.where() + " is in local datacenter '"
          + options.datacenter() + "'; the cluster's datacenters are " + datacenters + " (use --datacenter)");
    }
  }

  private static void checkKeyspace(CqlSession session, ConnectionOptions options) {
    Optional<KeyspaceMetadata> keyspace = session.getMetadata().getKeyspace(CqlIdentifier.fromCql(options.keyspace()));
    if (keyspace.isEmpty()) {
      Set<String> journals = session.getMetadata().getKeyspaces().values().stream()
          .filter(k -> k.getTable("messages").isPresent() && k.getTable("all_persistence_ids").isPresent())
          .map(k -> k.getName().asInternal())
          .collect(Collectors.toCollection(TreeSet::new));
      throw new JournalException("Keyspace '" + options.keyspace() + "' does not exist at " + options.where()
          + (journals.isEmpty() ? "; no keyspace there has a journal"
              : "; keyspaces with a journal: " + String.join(", ", journals))
          + " (use --keyspace, or --config with the node's config)");
    }
    List<String> missing = TABLES.stream().filter(t -> keyspace.get().getTable(t).isEmpty()).toList();
    if (!missing.isEmpty()) {
      throw new JournalException("Keyspace '" + options.keyspace() + "' at " + options.where()
          + " has no journal: table(s) " + String.join(", ", missing) + " missing (apply the schema with 'migrate')");
    }
  }

  public CqlSession cql() {
    return session;
  }

  public String keyspace() {
    return options.keyspace();
  }

  public long partitionSize() {
    return options.partitionSize();
  }

  /** For messages: {@code keyspace chat at 127.0.0.1:9042}. */
  public String where() {
    return "keyspace " + options.keyspace() + " at " + options.where();
  }

  @Override
  public void close() {
    session.close();
  }
}

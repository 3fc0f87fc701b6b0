package chat.cassandra;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;

/** {@code migrate}: creates the keyspace if missing and applies the pending schema migrations. */
final class MigrateCommand implements CliCommand {

  static final String DEFAULT_CONTACT_POINT = "127.0.0.1:9042";
  static final String DEFAULT_DATACENTER = "datacenter1";

  @Override
  public String name() {
    return "migrate";
  }

  @Override
  public String summary() {
    return "create the keyspace if missing and apply pending schema migrations";
  }

  @Override
  public String usage() {
    return """
        Usage: migrate --keyspace <name> [options]
          Creates the keyspace if it does not exist, then applies the schema migrations it has not seen yet.
        Options:
          --keyspace <name>           keyspace to migrate (required; [a-z][a-z0-9_]{0,47})
          --contact-point <host:port> a Cassandra node (default %s)
          --replication <map>         replication of a new keyspace (default %s)
          --datacenter <name>         the driver's local datacenter (default %s)
          --help                      show this help
        """.formatted(DEFAULT_CONTACT_POINT, SchemaMigrator.DEFAULT_REPLICATION, DEFAULT_DATACENTER);
  }

  @Override
  public int run(List<String> rawArgs, PrintStream out, PrintStream err) {
    CliArgs args = CliArgs.parse(name(), rawArgs,
        Set.of("keyspace", "contact-point", "replication", "datacenter"), Set.of("help"));
    if (args.flag("help")) {
      out.print(usage());
      return 0;
    }
    String keyspace = args.required("keyspace");
    String replication = args.value("replication", SchemaMigrator.DEFAULT_REPLICATION);
    String datacenter = args.value("datacenter", DEFAULT_DATACENTER);
    InetSocketAddress contactPoint;
    try {
      SchemaMigrator.requireValidKeyspace(keyspace);
      contactPoint = ContactPoints.parse(args.value("contact-point", DEFAULT_CONTACT_POINT));
    } catch (IllegalArgumentException e) {
      throw new CliUsageException(e.getMessage());
    }

    String where = "keyspace " + keyspace + " at " + ContactPoints.format(contactPoint);
    try (CqlSession session = connect(contactPoint, datacenter)) {
      List<Migration> applied = new SchemaMigrator(session).migrate(keyspace, replication);
      if (applied.isEmpty()) {
        out.println("Schema of " + where + " is up to date; nothing applied.");
      } else {
        out.println("Applied " + applied.size() + " migration(s) to " + where + ":");
        applied.forEach(m -> out.println("  " + m.name() + "  sha256=" + m.checksum()));
      }
    }
    return 0;
  }

  private static CqlSession connect(InetSocketAddress contactPoint, String datacenter) {
    try {
      return CqlSessions.builder(contactPoint, datacenter).build();
    } catch (AllNodesFailedException e) {
      throw new IllegalStateException("Cannot connect to Cassandra at " + ContactPoints.format(contactPoint)
          + " (local datacenter " + datacenter + "): " + e.getMessage(), e);
    }
  }
}

package chat.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Command-line errors; none of these reach a Cassandra. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CassandraCliTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void noCommandIsAUsageError() {
    assertEquals(2, run());
    assertTrue(err().contains("No command given"), err());
    assertTrue(err().contains("migrate"), err());
  }

  @Test
  void helpListsTheCommands() {
    assertEquals(0, run("--help"));
    assertTrue(out().contains("Usage: CassandraCli <command>"), out());
    assertTrue(out().contains("migrate"), out());
  }

  @Test
  void unknownCommand() {
    assertEquals(2, run("inspect-everything"));
    assertTrue(err().contains("Unknown command 'inspect-everything'"), err());
  }

  @Test
  void migrateHelp() {
    assertEquals(0, run("migrate", "--help"));
    assertTrue(out().contains("--contact-point <host:port>"), out());
  }

  @Test
  void migrateNeedsAKeyspace() {
    assertEquals(2, run("migrate", "--contact-point", "127.0.0.1:9042"));
    assertTrue(err().contains("Option --keyspace is required"), err());
    assertTrue(err().contains("Usage: migrate"), err());
  }

  @Test
  void invalidKeyspaceName() {
    assertEquals(2, run("migrate", "--keyspace", "Chat-Prod"));
    assertTrue(err().contains("Invalid keyspace name 'Chat-Prod'"), err());
  }

  @Test
  void invalidContactPoints() {
    assertEquals(2, run("migrate", "--keyspace", "chat", "--contact-point", "localhost"));
    assertTrue(err().contains("host:port"), err());
    assertEquals(2, run("migrate", "--keyspace", "chat", "--contact-point", "localhost:99999"));
    assertTrue(err().contains("1-65535"), err());
  }

  @Test
  void unknownOptionMissingValueAndRepeats() {
    assertEquals(2, run("migrate", "--keyspace", "chat", "--replicas", "3"));
    assertTrue(err().contains("Unknown option --replicas"), err());
    assertEquals(2, run("migrate", "--keyspace"));
    assertTrue(err().contains("Option --keyspace needs a value"), err());
    assertEquals(2, run("migrate", "--keyspace=a", "--keyspace=b"));
    assertTrue(err().contains("given more than once"), err());
    assertEquals(2, run("migrate", "chat"));
    assertTrue(err().contains("Unexpected argument 'chat'"), err());
  }

  @Test
  void unreachableCassandraFailsWithExitCode1() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort(); // closed again: nothing listens there
    }
    assertEquals(1, run("migrate", "--keyspace", "chat", "--contact-point", "127.0.0.1:" + port));
    assertTrue(err().startsWith("migrate failed: Cannot connect to Cassandra at 127.0.0.1:" + port), err());
    assertTrue(err().contains("127.0.0.1:" + port), err());
  }

  private int run(String... args) {
    out.reset();
    err.reset();
    return new CassandraCli(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }
}

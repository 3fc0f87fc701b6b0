package chat.cassandra.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.CassandraCli;
import chat.cassandra.CliArgs;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inspector's command lines, files and config handling; none of these reach a Cassandra. */
class JournalCliTest {

  private static final List<String> COMMANDS = List.of("ids", "events", "room", "verify", "tail", "export", "import");

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @TempDir
  Path dir;

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

  @Test
  void everyCommandIsListedAndHasHelp() {
    assertEquals(0, run("--help"));
    COMMANDS.forEach(c -> assertTrue(out().contains("  " + c + " "), out()));
    for (String command : COMMANDS) {
      assertEquals(0, run(command, "--help"), command);
      assertTrue(out().startsWith("Usage: " + command), out());
      assertTrue(out().contains("--contact-point <host:port>"), out());
      assertTrue(out().contains("--config <file>"), out());
    }
  }

  @Test
  void argumentErrorsAreUsageErrors() {
    assertEquals(2, run("events"));
    assertTrue(err().startsWith("Missing persistence id"), err());
    assertTrue(err().contains("Usage: events"), err());

    assertEquals(2, run("events", "ChatRoom|g:x", "--from", "yesterday"));
    assertTrue(err().contains("Option --from: 'yesterday' is not"), err());

    assertEquals(2, run("events", "a", "b"));
    assertTrue(err().contains("Unexpected argument 'b' for events"), err());

    assertEquals(2, run("room", "g:x", "--last", "0"));
    assertTrue(err().contains("--last must be at least 1"), err());

    assertEquals(2, run("tail"));
    assertTrue(err().contains("Give a persistence id or --type"), err());
    assertEquals(2, run("tail", "--type", "room", "--from", "3"));
    assertEquals(2, run("tail", "g:x", "--interval", "soon"));
    assertTrue(err().contains("--interval must be a duration"), err());

    assertEquals(2, run("verify", "g:x", "--type", "room"));
    assertEquals(2, run("events", "g:x", "--contact-point", "localhost"));
    assertTrue(err().contains("host:port"), err());
    assertEquals(2, run("events", "g:x", "--keyspace", "Chat-Prod"));
    assertTrue(err().contains("Invalid keyspace name 'Chat-Prod'"), err());
    assertEquals(2, run("ids", "--password", "secret"));
    assertTrue(err().contains("--password without --username"), err());
    assertEquals(2, run("import", dir.resolve("missing.jsonl").toString()));
    assertTrue(err().contains("No such export file"), err());
  }

  @Test
  void unreachableCassandraNamesTheHost() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort(); // closed again: nothing listens there
    }
    assertEquals(1, run("ids", "--contact-point", "127.0.0.1:" + port));
    assertTrue(err().startsWith("ids failed: Cannot connect to Cassandra at 127.0.0.1:" + port
        + " (local datacenter datacenter1): "), err());
  }

  @Test
  void anUnresolvableHostIsNamedBeforeTheDriverFallsBackToLocalhost() {
    assertEquals(1, run("ids", "--contact-point", "no-such-host.invalid:9042"));
    assertEquals("ids failed: Cannot resolve the Cassandra host 'no-such-host.invalid' (contact point"
        + " no-such-host.invalid:9042)\n", err());
  }

  @Test
  void contactPointsRepeatOrComeAsAList() {
    CliArgs args = CliArgs.parse("ids", List.of("--contact-point", "h1:9042,h2:9043", "--contact-point=[::1]:9044"),
        new CliArgs.Spec(ConnectionOptions.VALUE_OPTIONS, ConnectionOptions.REPEATABLE_OPTIONS, Set.of(), List.of()));
    ConnectionOptions options = ConnectionOptions.from(args, Map.of());
    assertEquals(List.of(InetSocketAddress.createUnresolved("h1", 9042).getHostString(), "h2", "0:0:0:0:0:0:0:1"),
        options.contactPoints().stream().map(InetSocketAddress::getHostString).toList());
    assertEquals("chat", options.keyspace());
    assertEquals(500_000, options.partitionSize());
  }

  @Test
  void readsTheNodesHoconConfigWithIncludesAndEnvironment() throws IOException {
    Files.writeString(dir.resolve("chat.conf"), """
        chat.cassandra.keyspace = "chat_prod"
        """);
    Files.writeString(dir.resolve("application.conf"), """
        include "chat.conf"
        datastax-java-driver.basic.contact-points = ["10.0.0.5:9042", "10.0.0.6:9042"]
        datastax-java-driver.basic.load-balancing-policy.local-datacenter = "dc1"
        datastax-java-driver.advanced.auth-provider.username = "inspector"
        pekko.persistence.cassandra.journal.target-partition-size = 1000
        pekko.persistence.cassandra.journal.keyspace = ${chat.cassandra.keyspace}
        """);
    CliArgs args = CliArgs.parse("ids", List.of("--config", dir.resolve("application.conf").toString()),
        new CliArgs.Spec(ConnectionOptions.VALUE_OPTIONS, ConnectionOptions.REPEATABLE_OPTIONS, Set.of(), List.of()));
    ConnectionOptions options = ConnectionOptions.from(args, Map.of(ConnectionOptions.PASSWORD_ENV, "pw"));
    assertEquals("10.0.0.5:9042, 10.0.0.6:9042", options.where());
    assertEquals("dc1", options.datacenter());
    assertEquals("chat_prod", options.keyspace());
    assertEquals("inspector", options.username());
    assertEquals("pw", options.password());
    assertEquals(1000, options.partitionSize());

    CliArgs overridden = CliArgs.parse("ids", List.of("--config", dir.resolve("application.conf").toString(),
        "--keyspace", "other", "--contact-point", "127.0.0.1:9142", "--username", "me", "--password", "x"),
        new CliArgs.Spec(ConnectionOptions.VALUE_OPTIONS, ConnectionOptions.REPEATABLE_OPTIONS, Set.of(), List.of()));
    ConnectionOptions flags = ConnectionOptions.from(overridden, Map.of());
    assertEquals("other", flags.keyspace());
    assertEquals("127.0.0.1:9142", flags.where());
    assertEquals("me", flags.username());
  }

  @Test
  void anExportLineCarriesEverythingToWriteTheRowAgain() throws IOException {
    JournalRow row = JournalFixtures.posted(7, JournalFixtures.WRITER_A, "alice", "m-7");
    JsonNode line = EventJson.MAPPER.readTree(EventJson.write(EventJson.exportLine(JournalEvent.decode(row,
        new PayloadDecoder()))));
    assertEquals("alice", line.path("payload").path("sender").asText());
    assertEquals("MessagePosted", line.path("type").asText());
    JournalRow again = EventJson.rowOf(line, "ChatRoom|g:copy", 3);
    assertEquals("ChatRoom|g:copy", again.persistenceId());
    assertEquals(3, again.partitionNr());
    assertEquals(row.sequenceNr(), again.sequenceNr());
    assertEquals(row.timestamp(), again.timestamp());
    assertEquals(row.timebucket(), again.timebucket());
    assertEquals(row.writerUuid(), again.writerUuid());
    assertEquals(row.serId(), again.serId());
    assertEquals(row.serManifest(), again.serManifest());
    assertArrayEquals(row.event(), again.event());
  }

  @Test
  void importChecksTheExportBeforeConnecting() throws IOException {
    PayloadDecoder decoder = new PayloadDecoder();
    List<String> lines = JournalFixtures.cleanRoom(4).stream()
        .map(r -> EventJson.write(EventJson.exportLine(JournalEvent.decode(r, decoder)))).toList();

    Path complete = dir.resolve("complete.jsonl");
    Files.write(complete, lines);
    ImportCommand.ExportSummary summary = ImportCommand.check(complete);
    assertEquals(4, summary.events());
    assertEquals(JournalFixtures.ROOM, summary.persistenceId());

    Path gap = dir.resolve("gap.jsonl");
    Files.write(gap, List.of(lines.get(0), lines.get(1), lines.get(3)));
    assertEquals(1, run("import", gap.toString()));
    assertTrue(err().contains("line 3: seq 4 where seq 3 was expected: the export has a gap or a duplicate"), err());

    Path partial = dir.resolve("partial.jsonl");
    Files.write(partial, lines.subList(1, 4));
    assertEquals(1, run("import", partial.toString()));
    assertTrue(err().contains("the export does not start at seq 1"), err());

    Path junk = dir.resolve("junk.jsonl");
    Files.write(junk, List.of(lines.get(0), "{\"seq\": 2}"));
    assertEquals(1, run("import", junk.toString()));
    assertTrue(err().contains("line 2: field 'persistenceId' is missing (is this an export line?)"), err());

    assertEquals(2, run("import", complete.toString(), "--as", "g:copy"));
    assertTrue(err().contains("--as needs a full persistence id such as ChatRoom|g:copy"), err());
    assertEquals(2, run("import", complete.toString(), "--as", "UserSession|bob"));
    assertTrue(err().contains("is not of the exported entity type ChatRoom"), err());
  }
}

package chat.cassandra.journal;

import chat.cassandra.CliCommand;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The event-journal inspector: subcommands of {@code CassandraCli} that read (and, with {@code import
 * --execute}, write) pekko-persistence-cassandra journals directly with the DataStax driver, decoding events
 * without the server's classes. See cassandra/README.md.
 */
public final class JournalCommands {

  private JournalCommands() {}

  public static List<CliCommand> all() {
    return all(System.getenv(), Clock.systemDefaultZone());
  }

  /** {@code env} supplies {@code $CASSANDRA_PASSWORD}; {@code clock}, the date of times given as just {@code 10:02}. */
  public static List<CliCommand> all(Map<String, String> env, Clock clock) {
    return List.of(
        new IdsCommand(env),
        new EventsCommand(env, clock),
        new RoomCommand(env, clock),
        new VerifyCommand(env),
        new TailCommand(env),
        new ExportCommand(env, clock),
        new ImportCommand(env));
  }
}

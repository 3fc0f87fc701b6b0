package chat.cassandra;

import chat.cassandra.journal.JournalCommands;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line tools for the chat's Cassandra keyspace: {@code CassandraCli <command> [options]}: the schema
 * migrator and the event-journal inspector ({@link JournalCommands}). Plain Java: it never starts Pekko,
 * so it cannot join the chat cluster.
 *
 * <p>Exit codes: 0 success, 1 the command failed, 2 the command line is wrong, 3 {@code verify} found
 * violations.
 */
public final class CassandraCli {

  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  /** The command ran, and what it checked is not right (verify). */
  public static final int VIOLATIONS = 3;

  private final Map<String, CliCommand> commands = new LinkedHashMap<>();
  private final PrintStream out;
  private final PrintStream err;

  /** A CLI writing to these streams; {@link #run} never exits the JVM, so it can run inside tests. */
  public CassandraCli(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
    register(new MigrateCommand());
    JournalCommands.all().forEach(this::register);
  }

  public static void main(String[] args) {
    System.exit(new CassandraCli(System.out, System.err).run(args));
  }

  private void register(CliCommand command) {
    commands.put(command.name(), command);
  }

  /** Runs one command line and returns the exit code; never throws. */
  public int run(String... args) {
    if (args.length == 0) {
      err.println("No command given.");
      err.print(usage());
      return USAGE;
    }
    String name = args[0];
    if (name.equals("--help") || name.equals("-h") || name.equals("help")) {
      out.print(usage());
      return OK;
    }
    CliCommand command = commands.get(name);
    if (command == null) {
      err.println("Unknown command '" + name + "'.");
      err.print(usage());
      return USAGE;
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    try {
      return command.run(rest, out, err);
    } catch (CliUsageException e) {
      err.println(e.getMessage());
      err.print(command.usage());
      return USAGE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println(command.name() + " interrupted");
      return FAILED;
    } catch (Exception e) {
      err.println(command.name() + " failed: " + describe(e));
      return FAILED;
    } finally {
      out.flush();
    }
  }

  String usage() {
    StringBuilder usage = new StringBuilder("Usage: CassandraCli <command> [options]\nCommands:\n");
    commands.values().forEach(c -> usage.append(String.format("  %-10s %s%n", c.name(), c.summary())));
    usage.append("Run 'CassandraCli <command> --help' for the options of a command.\n");
    return usage.toString();
  }

  /** The message chain, without stack traces: the CLI's users want the reason, not our internals. */
  private static String describe(Throwable e) {
    StringBuilder message = new StringBuilder(String.valueOf(e.getMessage() != null ? e.getMessage() : e));
    for (Throwable cause = e.getCause(); cause != null && cause != e; cause = cause.getCause()) {
      if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
        message.append("\n  caused by: ").append(cause.getMessage());
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return message.toString();
  }
}

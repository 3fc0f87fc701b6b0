package chat.cassandra;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line tools for the chat's Cassandra keyspace: {@code CassandraCli <command> [options]}.
 *
 * <p>Exit codes: 0 success, 1 the command failed, 2 the command line is wrong.
 */
public final class CassandraCli {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private final Map<String, CliCommand> commands = new LinkedHashMap<>();
  private final PrintStream out;
  private final PrintStream err;

  CassandraCli(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
    register(new MigrateCommand());
  }

  public static void main(String[] args) {
    System.exit(new CassandraCli(System.out, System.err).run(args));
  }

  private void register(CliCommand command) {
    commands.put(command.name(), command);
  }

  /** Runs one command line and returns the exit code; never throws. */
  int run(String... args) {
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
      return command.run(rest, out);
    } catch (CliUsageException e) {
      err.println(e.getMessage());
      err.print(command.usage());
      return USAGE;
    } catch (Exception e) {
      err.println(command.name() + " failed: " + describe(e));
      return FAILED;
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

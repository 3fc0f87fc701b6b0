package chat.cassandra;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of {@link CassandraCli}. */
interface CliCommand {

  String name();

  /** One line for the command list. */
  String summary();

  /** The full usage text, options included. */
  String usage();

  /**
   * @return the process exit code
   * @throws CliUsageException for a wrong command line (exit 2)
   * @throws Exception         for a failure while running (exit 1)
   */
  int run(List<String> args, PrintStream out) throws Exception;
}

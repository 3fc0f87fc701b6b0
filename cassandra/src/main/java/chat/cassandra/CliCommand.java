package chat.cassandra;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of {@link CassandraCli}. */
public interface CliCommand {

  String name();

  /** One line for the command list. */
  String summary();

  /** The full usage text, options included. */
  String usage();

  /**
   * @param out the command's result (what a script would pipe on)
   * @param err progress, notes and warnings for the person watching
   * @return the process exit code
   * @throws CliUsageException for a wrong command line (exit 2)
   * @throws Exception         for a failure while running (exit 1)
   */
  int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}

package chat.cassandra;

/** The command line is wrong; the CLI prints the message and the command's usage, and exits with 2. */
public final class CliUsageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CliUsageException(String message) {
    super(message);
  }
}

package chat.cassandra.journal;

/** The inspector cannot do what was asked; the message says why, for the person at the terminal. */
public final class JournalException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public JournalException(String message) {
    super(message);
  }
}

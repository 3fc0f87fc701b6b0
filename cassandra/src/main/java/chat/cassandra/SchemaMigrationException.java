package chat.cassandra;

/**
 * The schema cannot be migrated safely: an applied migration was changed, or a statement failed.
 * Nothing is retried or repaired automatically; the message says what to do.
 */
public class SchemaMigrationException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public SchemaMigrationException(String message) {
    super(message);
  }

  public SchemaMigrationException(String message, Throwable cause) {
    super(message, cause);
  }
}

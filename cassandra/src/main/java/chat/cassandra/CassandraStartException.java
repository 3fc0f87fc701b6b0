package chat.cassandra;

/**
 * Cassandra could not be started: the environment is not usable (no JDK 17, missing classpath file,
 * a port already taken, the data directory owned by another live server), or the forked server died
 * or did not accept CQL connections in time. The message says which, and for a failed server it
 * carries the tail of its log, so that a test report alone is enough to see why.
 */
public class CassandraStartException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CassandraStartException(String message) {
    super(message);
  }

  public CassandraStartException(String message, Throwable cause) {
    super(message, cause);
  }
}

package chat.kafka;

/**
 * Kafka could not be started: the environment is not usable (no JDK 17, missing classpath file, a port
 * already taken, the data directory owned by another live broker), formatting the storage failed, or the
 * forked broker died or was not ready in time. The message says which, and for a failed broker it carries
 * the tail of its log, so that a test report alone is enough to see why.
 */
public class KafkaStartException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public KafkaStartException(String message) {
    super(message);
  }

  public KafkaStartException(String message, Throwable cause) {
    super(message, cause);
  }
}

package chat.cassandra.journal;

/**
 * One thing {@code verify} found in a journal. {@code seq} is where (0 when it concerns the whole journal);
 * {@code rule} is a stable short name (e.g. {@code gap}, {@code interleaved-writers}) that scripts can match.
 */
public record Finding(Severity severity, String rule, long seq, String message) {

  public enum Severity {
    /** An invariant is broken: verify fails. */
    ERROR,
    /** Worth knowing, not wrong: verify still passes. */
    WARNING
  }

  public static Finding error(String rule, long seq, String message) {
    return new Finding(Severity.ERROR, rule, seq, message);
  }

  public static Finding warning(String rule, long seq, String message) {
    return new Finding(Severity.WARNING, rule, seq, message);
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  @Override
  public String toString() {
    return severity + " " + rule + (seq > 0 ? " at seq " + seq : "") + ": " + message;
  }
}

package chat.node.logging;

import ch.qos.logback.classic.LoggerContext;
import java.util.Map;
import java.util.Optional;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * What every log line of this process carries besides its own fields, and the choice of format that
 * logback.xml makes ({@link ConsoleEncoder}): {@code -Dchat.log.format} or else {@code CHAT_LOG_FORMAT},
 * {@code text} (the default) or {@code json} ({@link JsonLineEncoder}).
 */
public final class LogContext {

  /** The logger context property naming this process: the cluster self address, or host for a process outside the cluster. */
  public static final String NODE = "node";
  public static final String FORMAT_PROPERTY = "chat.log.format";
  public static final String FORMAT_VARIABLE = "CHAT_LOG_FORMAT";

  private LogContext() {}

  /** Sets the {@value #NODE} of every line logged from now on (one node per process; in tests, the last one). */
  public static void node(String address) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (factory instanceof LoggerContext context) {
      context.putProperty(NODE, address);
    }
  }

  /**
   * An explanation when the chosen format is neither {@code text} nor {@code json}: a mistake the process
   * refuses to start with, rather than write text to a collector that expects JSON ({@link ConsoleEncoder}
   * alone would fall back to text).
   */
  public static Optional<String> invalidFormat(String property, Map<String, String> environment) {
    String format = property != null ? property : environment.getOrDefault(FORMAT_VARIABLE, "text");
    if (format.equals("text") || format.equals("json")) {
      return Optional.empty();
    }
    return Optional.of((property != null ? "-D" + FORMAT_PROPERTY : FORMAT_VARIABLE) + " is '" + format
        + "'; it must be text or json");
  }
}

package chat.loadtest;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every failure a run meets, counted by kind and never swallowed. Kinds starting {@value #CONNECTION}
 * are connection errors (could not connect, closed by the server, transport errors, unanswered requests);
 * kinds starting {@value #SEND} are sends that did not get an ack (an error answer, or the connection went).
 * The first {@value #SAMPLES} failures are kept with their detail for the report.
 */
final class Errors {

  static final String CONNECTION = "connection.";
  static final String SEND = "send.";
  private static final int SAMPLES = 20;

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final List<String> samples = new CopyOnWriteArrayList<>();

  void count(String kind, String detail) {
    add(kind, 1, detail);
  }

  void add(String kind, long n, String detail) {
    counts.computeIfAbsent(kind, k -> new LongAdder()).add(n);
    if (samples.size() < SAMPLES) {
      samples.add(kind + ": " + detail);
    }
  }

  long connectionErrors() {
    return total(CONNECTION);
  }

  long sendFailures() {
    return total(SEND);
  }

  long total() {
    return total("");
  }

  private long total(String prefix) {
    return counts.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(e -> e.getValue().sum()).sum();
  }

  Map<String, Long> byKind() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((kind, n) -> out.put(kind, n.sum()));
    return out;
  }

  List<String> samples() {
    return List.copyOf(samples);
  }

  /** A short, one-line description of a failure (the cause's class and message). */
  static String describe(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof java.util.concurrent.CompletionException
        || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage());
  }
}

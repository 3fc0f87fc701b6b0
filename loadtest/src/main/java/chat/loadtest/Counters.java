package chat.loadtest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The run's running totals, updated from any thread; read by the progress line and the result. */
final class Counters {

  /** Sends the node answered as repeats of an earlier one, though every clientMsgId is new: a finding. */
  static final String ANSWERED_AS_DUPLICATE = "answered-as-duplicate";

  final LongAdder scheduled = new LongAdder();
  final LongAdder sent = new LongAdder();
  final LongAdder acked = new LongAdder();
  /** Written, then answered with an error, or the connection went before the answer. */
  final LongAdder refused = new LongAdder();
  /** Due, but the sender was not connected. */
  final LongAdder notSent = new LongAdder();
  /** Timeline items received in tracked rooms, repeats included. */
  final LongAdder received = new LongAdder();
  /** Anything else worth a figure: pushed presence and typing frames, gap frames, etc. */
  private final Map<String, LongAdder> other = new ConcurrentHashMap<>();

  void count(String what) {
    other.computeIfAbsent(what, k -> new LongAdder()).increment();
  }

  long get(String what) {
    LongAdder n = other.get(what);
    return n == null ? 0 : n.sum();
  }

  Map<String, Long> other() {
    Map<String, Long> out = new TreeMap<>();
    other.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}

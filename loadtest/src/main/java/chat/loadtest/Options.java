package chat.loadtest;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The generator's command line: {@code --name value} pairs (and the {@code --knee} flag), each with a
 * default; {@link #usage()} lists them. Unknown options are an error, never ignored.
 */
final class Options {

  /** Name, default, meaning; in the order {@link #usage()} prints them. */
  private static final String[][] SPEC = {
      {"--scenario", "groups", "pairs | groups | large-room | idle | reconnect-storm | mixed"},
      {"--url", "http://127.0.0.1:8080", "the node's HTTP address (tokens from POST /dev/token, WebSocket at /v1/ws);"
          + " several, comma-separated: each user connects to one of them, chosen by its name"},
      {"--rate", "100", "messages per second, all senders together (open loop)"},
      {"--seconds", "30", "measured seconds of sending (idle: seconds to hold the connections)"},
      {"--warmup", "10", "seconds of sending before the measurement: checked for loss and order, not timed"},
      {"--max-messages", "1000000", "stop sending after this many messages"},
      {"--pairs", "50", "pairs: 1:1 rooms, two members each"},
      {"--rooms", "10", "groups, mixed, reconnect-storm: rooms"},
      {"--room-size", "10", "groups, mixed, reconnect-storm: connected members per room"},
      {"--members", "500", "large-room: members of the one room (at most the server's 1,000)"},
      {"--senders", "5", "large-room: members who send"},
      {"--connections", "2000", "idle: authenticated idle connections"},
      {"--steps", "", "idle: connection counts at which to record RSS (default 2000 and --connections)"},
      {"--away", "15", "reconnect-storm: seconds the receivers stay away while messages are sent"},
      {"--offline", "0", "groups: members per room who never connect (each message is a push request for each)"},
      {"--kafka", "", "groups with --offline: Kafka bootstrap servers; checks a push request exists for every one"},
      {"--push-timeout", "120", "seconds the push audit waits for the requests"},
      {"--knee", "false", "groups: step the rate up until p99 send-to-receive > --knee-p99 or anything fails"},
      {"--knee-start", "100", "knee: first step's rate"},
      {"--knee-factor", "1.25", "knee: each step's rate is the previous one's times this"},
      {"--step-seconds", "20", "knee: measured seconds per step"},
      {"--settle-seconds", "5", "knee: seconds at a step's rate before it is measured"},
      {"--knee-p99", "250", "knee: the p99 send-to-receive (ms) above which a step is bad"},
      {"--max-steps", "30", "knee: at most this many steps"},
      {"--metrics", "", "the node's Prometheus endpoint, e.g. http://127.0.0.1:9464/metrics, to compare with;"
          + " several, comma-separated: their sums"},
      {"--server-pid", "", "the node's pid (default: the dev-mode JVM named in <dev-dir>/cassandra/cassandra.pid);"
          + " several, comma-separated: node, node-2, ..."},
      {"--cassandra-pid", "", "Cassandra's pid (default: from <dev-dir>/cassandra/cassandra.pid)"},
      {"--kafka-pid", "", "Kafka's pid (default: from <dev-dir>/kafka/kafka.pid)"},
      {"--dev-dir", ".dev", "the dev-mode data directory holding the pid files"},
      {"--out", "", "the JSON result file (default target/loadtest/<scenario>-<time>.json); the HTML report goes beside it"},
      {"--connect-concurrency", "200", "connections being opened at once"},
      {"--io-threads", "2", "selector threads shared by all connections (they read, parse and account inline)"},
      {"--drain-seconds", "30", "after the last send, how long to wait for acks and deliveries"},
      {"--late-seconds", "60", "if anything is missing after the drain, how much longer to wait for it: what arrives"
          + " after the drain is late, what is missing after this wait is lost (0: no wait)"},
      {"--deadline", "0", "hard limit in seconds on the whole run (0: derived from the other options)"},
  };

  private final Map<String, String> values;
  private final List<String> given;

  private Options(Map<String, String> values, List<String> given) {
    this.values = values;
    this.given = given;
  }

  static Options parse(String... args) {
    Map<String, String> values = defaults();
    List<String> given = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (!values.containsKey(name)) {
        throw new IllegalArgumentException("unknown option " + name + "\n" + usage());
      }
      if (name.equals("--knee") && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
        values.put(name, "true");
      } else if (i + 1 >= args.length) {
        throw new IllegalArgumentException(name + " needs a value\n" + usage());
      } else {
        values.put(name, args[++i]);
      }
      given.add(name);
    }
    return new Options(values, given);
  }

  /** Defaults overridden by {@code overrides} (name to value), for tests and scenarios. */
  static Options of(Map<String, String> overrides) {
    List<String> args = new ArrayList<>();
    overrides.forEach((k, v) -> {
      args.add(k);
      args.add(v);
    });
    return parse(args.toArray(String[]::new));
  }

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    for (String[] o : SPEC) {
      d.put(o[0], o[1]);
    }
    return d;
  }

  static String usage() {
    StringBuilder out = new StringBuilder("usage: java -jar loadtest/target/chat-loadtest.jar [--option value]...\n");
    for (String[] o : SPEC) {
      out.append(String.format("  %-22s %s%s%n", o[0], o[2], o[1].isEmpty() ? "" : " [" + o[1] + "]"));
    }
    return out.toString();
  }

  String string(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no option " + name);
    }
    return v;
  }

  int integer(String name) {
    return (int) number(name);
  }

  long longValue(String name) {
    try {
      return Long.parseLong(string(name).replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, not " + string(name));
    }
  }

  double number(String name) {
    try {
      return Double.parseDouble(string(name).replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, not " + string(name));
    }
  }

  boolean flag(String name) {
    return Boolean.parseBoolean(string(name));
  }

  /** A pid option, or null if not given. */
  Long pid(String name) {
    return string(name).isEmpty() ? null : longValue(name);
  }

  URI uri(String name) {
    return string(name).isEmpty() ? null : URI.create(string(name));
  }

  /** A comma-separated list of addresses; empty if not given. */
  List<URI> uris(String name) {
    return list(name).stream().map(URI::create).toList();
  }

  /** A comma-separated list of pids; empty if not given. */
  List<Long> pids(String name) {
    try {
      return list(name).stream().map(Long::parseLong).toList();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be pids separated by commas, not " + string(name));
    }
  }

  private List<String> list(String name) {
    return Arrays.stream(string(name).split(",")).map(String::strip).filter(v -> !v.isEmpty()).toList();
  }

  Path devDir() {
    return Path.of(string("--dev-dir"));
  }

  String scenario() {
    return string("--scenario");
  }

  List<Integer> steps() {
    if (string("--steps").isEmpty()) {
      int n = integer("--connections");
      return n > 2000 ? List.of(2000, n) : List.of(n);
    }
    return Arrays.stream(string("--steps").split(",")).map(String::strip).map(Integer::parseInt).sorted().toList();
  }

  /** The options that were given, with their values, for the result file. */
  Map<String, Object> parameters() {
    Map<String, Object> out = new TreeMap<>();
    given.forEach(name -> out.put(name.substring(2), values.get(name)));
    return out;
  }

  /** The effective value of every option. */
  Map<String, String> all() {
    return Map.copyOf(values);
  }
}

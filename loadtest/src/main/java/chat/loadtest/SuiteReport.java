package chat.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The benchmark suite's section of {@code docs/benchmarks.md}: the command, the machine, the floors with
 * their verdicts, and every run's figures. It lives between {@link #BEGIN} and {@link #END}; a new run
 * replaces it and leaves the rest of the file alone.
 */
final class SuiteReport {

  static final String BEGIN = "<!-- benchmark-suite:begin (written by ./chat bench; the next run replaces it) -->";
  static final String END = "<!-- benchmark-suite:end -->";

  /** The floors' thresholds (the issue of record: docs/benchmarks.md, "Where the floors stand"). */
  static final double KNEE_FLOOR = 1_000;
  static final int ROOM_SIZE = 20;
  static final double P50_FLOOR_MS = 10;
  static final double P99_FLOOR_MS = 50;
  static final double IDLE_FLOOR_KB = 30;
  static final long IDLE_CONNECTIONS = 19_000;
  static final long STORM_CLIENTS = 5_000;

  /** The machine the suite ran on; the generator shares it. */
  record Machine(int cores, String cpu, double memoryGib, String os, String java) {
    static Machine current() {
      String cpu = lines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
      double memory = lines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
          .map(l -> Double.parseDouble(l.replaceAll("[^0-9]", "")) / (1024 * 1024)).findFirst().orElse(-1.0);
      return new Machine(Runtime.getRuntime().availableProcessors(), cpu, memory,
          System.getProperty("os.name") + " " + System.getProperty("os.version"),
          System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    }

    private static List<String> lines(Path file) {
      try {
        return Files.readAllLines(file);
      } catch (IOException e) {
        return List.of();
      }
    }
  }

  /** One run of the whole suite. */
  record Suite(String command, String commit, Instant started, Duration took, Machine machine, boolean quick,
      List<BenchmarkSuite.Outcome> outcomes) {}

  /** A floor, what was measured against it, and whether it is met. */
  record Floor(String stack, String floor, String measured, boolean met) {}

  private SuiteReport() {}

  /** {@code doc} with its suite section replaced by {@code section}, or with it added before the first "## ". */
  static String replaceSection(String doc, String section) {
    String block = BEGIN + "\n" + section.strip() + "\n" + END;
    int begin = doc.indexOf(BEGIN);
    int end = doc.indexOf(END);
    if (begin >= 0 && end > begin) {
      return doc.substring(0, begin) + block + doc.substring(end + END.length());
    }
    int firstSection = doc.indexOf("\n## ");
    if (firstSection < 0) {
      return doc + (doc.isEmpty() || doc.endsWith("\n") ? "" : "\n") + (doc.isEmpty() ? "" : "\n") + block + "\n";
    }
    return doc.substring(0, firstSection + 1) + block + "\n\n" + doc.substring(firstSection + 1);
  }

  /**
   * 0: every measured run passed and every floor of the one-node stacks is met; 1: a failure in a measured
   * run or a missed floor; 2: a run not made. A warm-up's failures are shown, not counted.
   */
  static int exitCode(Suite suite) {
    if (suite.outcomes().stream().anyMatch(o -> o.result() == null)) {
      return 2;
    }
    boolean failed = suite.outcomes().stream().anyMatch(o -> !o.step().warmUp() && !o.result().passed());
    boolean missed = !suite.quick() && floors(suite).stream().anyMatch(f -> f.stack().equals("1-node") && !f.met());
    return failed || missed ? 1 : 0;
  }

  /** The floors of each stack that ran the runs they are measured by (the idle run is on its own stack). */
  static List<Floor> floors(Suite suite) {
    List<Floor> out = new ArrayList<>();
    for (BenchmarkSuite.Outcome o : suite.outcomes()) {
      if (o.result() == null || o.step().warmUp()) {
        continue;
      }
      Result r = o.result();
      String stack = o.stack().name().replaceFirst("-idle$", "");
      switch (o.step().name()) {
        case "knee" -> {
          // the search overloads on purpose: what its last, bad step did to connections is no finding
          // against the rate before it, but anything lost, repeated or reordered is
          double rate = r.kneeLastGoodRate() == null ? 0 : r.kneeLastGoodRate();
          int roomSize = Integer.parseInt(String.valueOf(r.parameters().getOrDefault("--room-size", "0")));
          Result.Delivery d = r.delivery();
          boolean intact = d.lost() == 0 && d.duplicates() == 0 && d.reorders() == 0;
          out.add(new Floor(stack, "knee ≥ 1,000 persisted sends/s in rooms of 20 (≥ 20,000 deliveries/s)",
              (r.kneeLastGoodRate() == null ? "no good step"
                  : String.format(Locale.ROOT, "%,.0f sends/s (%,.0f deliveries/s)", rate, rate * roomSize))
                  + (roomSize == ROOM_SIZE ? "" : " in rooms of " + roomSize)
                  + (intact ? "" : String.format(Locale.ROOT, "; lost %d, duplicates %d, reorders %d", d.lost(),
                      d.duplicates(), d.reorders())),
              rate >= KNEE_FLOOR && roomSize == ROOM_SIZE && intact));
        }
        case "groups-500" -> {
          out.add(new Floor(stack, "500 sends/s in rooms of 20: p50 send → receive ≤ 10 ms",
              ms(r.receive().p50()) + (r.passed() ? "" : " (the run failed)"), r.receive().p50() <= P50_FLOOR_MS && r.passed()));
          out.add(new Floor(stack, "500 sends/s in rooms of 20: p99 send → receive ≤ 50 ms",
              ms(r.receive().p99()) + (r.passed() ? "" : " (the run failed)"), r.receive().p99() <= P99_FLOOR_MS && r.passed()));
        }
        case "idle" -> {
          Result.Idle idle = r.idle();
          Double kib = idle == null ? null : idle.serverKbPerConnection();
          String measured = idle == null || kib == null ? "no figure"
              : String.format(Locale.ROOT, "%,d open after %d s; %.1f kB (%.1f KiB) RSS per connection", idle.openAtEnd(),
                  idle.heldSeconds(), kib * 1.024, kib);
          out.add(new Floor(stack, "19,000 idle authenticated connections on one node, ≤ 30 kB RSS each"
              + " (slope 2,000 → 19,000)", measured,
              kib != null && kib * 1.024 <= IDLE_FLOOR_KB && idle.openAtEnd() >= IDLE_CONNECTIONS && r.passed()));
        }
        case "storm" -> {
          Result.Storm s = r.storm();
          Result.Delivery d = r.delivery();
          String measured = s == null ? "no figure" : String.format(Locale.ROOT,
              "%,d of %,d resumed; lost %d, late %d, duplicates %d, reorders %d; the last welcomed %.0f s after"
                  + " reconnecting began", s.resumed(),
              s.expected(), d.lost(), d.late(), d.duplicates(), d.reorders(), s.reconnectSeconds());
          out.add(new Floor(stack, "reconnect storm of 5,000 clients, all resumed with nothing missing", measured,
              s != null && s.expected() >= STORM_CLIENTS && s.resumed() == s.expected() && r.passed()));
        }
        default -> {
          // no floor
        }
      }
    }
    return out;
  }

  /** {@code dir}: where the suite kept its stacks and results. */
  static String section(Suite suite, Path dir) {
    StringBuilder out = new StringBuilder();
    out.append("## The standard suite: latest run\n\n");
    out.append(String.format(Locale.ROOT, "`%s` at commit `%s`, started %s UTC, took %d min.%s%n%n", suite.command(),
        suite.commit(), DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC).format(suite.started()),
        suite.took().toMinutes(), suite.quick() ? " **Quick mode: tiny runs that check the suite itself; not comparable"
            + " with the floors.**" : ""));
    Machine m = suite.machine();
    out.append(String.format(Locale.ROOT, "Machine: %d cores (%s), %.1f GiB, %s, %s. Cassandra, Kafka, the node(s) and"
        + " the generator (a process of its own for each run) share it. Every stack is fresh: the suite starts its own Cassandra,"
        + " Kafka and nodes on loopback in `%s/<stack>` and stops them after its runs. Node JVM options: `%s`"
        + " (for the idle run's 19,000 connections from one address); everything else is dev mode's default.%n%n",
        m.cores(), m.cpu(), m.memoryGib(), m.os(), m.java(), dir, String.join(" ", BenchmarkSuite.NODE_OPTIONS)));
    if (!suite.quick()) {
      out.append("### Floors\n\n");
      out.append("The floors are the one-node figures. The three-node stack's knee (three node JVMs on the same two"
          + " cores) is set against the same threshold for comparison; it does not decide the suite's exit code.\n\n");
      out.append("| stack | floor | measured | |\n| --- | --- | --- | --- |\n");
      for (Floor f : floors(suite)) {
        out.append("| ").append(f.stack()).append(" | ").append(f.floor()).append(" | ").append(f.measured()).append(" | ")
            .append(f.met() ? "met" : "**not met**").append(" |\n");
      }
      out.append('\n');
    }
    out.append("### Runs\n\n");
    out.append("Latencies in ms, from the scheduled send time (open loop). CPU in cores over the measured interval;"
        + " with several nodes, their sum.\n\n");
    out.append("| stack | run | rate/s | acked / failed | delivered / expected | lost, late, dup, reord | ack p50 / p99"
        + " | receive p50 / p90 / p99 / p99.9 / max | node cores | Cassandra cores | generator cores | result |\n");
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (BenchmarkSuite.Outcome o : suite.outcomes()) {
      out.append(row(o));
    }
    out.append('\n');
    for (BenchmarkSuite.Outcome o : suite.outcomes()) {
      details(o).ifPresent(out::append);
    }
    out.append("### Commands\n\n");
    out.append("Each run is the load generator with these options, plus `--url`, `--metrics`, `--server-pid`,"
        + " `--dev-dir` and `--out` for the suite's stack. Results (JSON and an HTML report each) are in `")
        .append(dir.resolve("results")).append("/`.\n\n```\n");
    for (BenchmarkSuite.Outcome o : suite.outcomes()) {
      out.append(String.format("%-14s %s%n", o.stack().name() + ":", String.join(" ", o.step().args())));
    }
    out.append("```\n");
    return out.toString();
  }

  private static String row(BenchmarkSuite.Outcome o) {
    String run = o.step().title();
    if (o.result() == null) {
      return "| " + o.stack().name() + " | " + run + " | | | | | | | | | | not made: " + o.error().replace('|', '/')
          .replace('\n', ' ') + " |\n";
    }
    Result r = o.result();
    Result.Messages msgs = r.messages();
    Result.Delivery d = r.delivery();
    boolean sends = msgs.scheduled() > 0;
    return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
        o.stack().name(), run,
        r.knee() != null ? "steps" : sends ? String.format(Locale.ROOT, "%.0f", msgs.ratePerSecond()) : "–",
        sends ? String.format(Locale.ROOT, "%,d / %d", msgs.acked(), msgs.failed()) : "–",
        d.expected() > 0 ? String.format(Locale.ROOT, "%,d / %,d", d.delivered(), d.expected()) : "–",
        d.lost() + ", " + d.late() + ", " + d.duplicates() + ", " + d.reorders(),
        r.ack().count() > 0 ? ms(r.ack().p50()) + " / " + ms(r.ack().p99()) : "–",
        r.receive().count() > 0 ? String.join(" / ", ms(r.receive().p50()), ms(r.receive().p90()), ms(r.receive().p99()),
            ms(r.receive().p999()), ms(r.receive().max())) : "–",
        cores(r, "node"), cores(r, "cassandra"), cores(r, "generator"),
        r.passed() ? "passed" : "**failed**: " + String.join("; ", r.failures()).replace('|', '/'));
  }

  /** The knee's steps, the idle run's memory steps and the storm's resume figures. */
  private static Optional<String> details(BenchmarkSuite.Outcome o) {
    Result r = o.result();
    if (r == null) {
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder();
    if (r.knee() != null) {
      out.append("#### ").append(o.stack().name()).append(": knee steps\n\n");
      out.append(String.format(Locale.ROOT, "Last good rate: %s sends/s.%n%n",
          r.kneeLastGoodRate() == null ? "none" : String.format(Locale.ROOT, "%,.0f", r.kneeLastGoodRate())));
      out.append("| rate/s | sent | acked | failed | lost | late | receive p50 | receive p99 | ack p99 | verdict |\n");
      out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
      for (Result.KneeStep s : r.knee()) {
        out.append(String.format(Locale.ROOT, "| %,.0f | %,d | %,d | %d | %d | %d | %s | %s | %s | %s |%n", s.rate(),
            s.sent(), s.acked(), s.failed(), s.lost(), s.late(), ms(s.receiveP50()), ms(s.receiveP99()), ms(s.ackP99()),
            s.verdict()));
      }
      out.append('\n');
    }
    if (r.idle() != null) {
      out.append("#### ").append(o.stack().name()).append(": idle connections\n\n");
      out.append("| connections | node RSS MiB | generator RSS MiB | seconds to connect the step |\n| --- | --- | --- | --- |\n");
      for (Result.IdleStep s : r.idle().steps()) {
        out.append(String.format(Locale.ROOT, "| %,d | %,d | %,d | %.1f |%n", s.connections(), s.serverRssKb() / 1024,
            s.generatorRssKb() / 1024, s.secondsToConnect()));
      }
      out.append(String.format(Locale.ROOT, "%nSlope between the first and the last step: node %s KiB per connection,"
          + " generator %s KiB; %,d of them open after holding them %d s.%n%n", r.idle().serverKbPerConnection(),
          r.idle().generatorKbPerConnection(), r.idle().openAtEnd(), r.idle().heldSeconds()));
    }
    if (r.storm() != null) {
      Result.Storm s = r.storm();
      out.append("#### ").append(o.stack().name()).append(": reconnect storm\n\n");
      out.append(String.format(Locale.ROOT, "%,d receivers dropped at once and came back after %.0f s away; %,d of them"
          + " resumed; %,d messages were sent while they were away; the last was welcomed %.1f s after they began"
          + " to reconnect;"
          + " from reconnect to `synced` p50 %s, p99 %s, max %s ms; %d `gap` frames.%n%n", s.expected(), s.awaySeconds(),
          s.resumed(), s.sentWhileAway(), s.reconnectSeconds(), ms(s.syncP50()), ms(s.syncP99()), ms(s.syncMax()),
          s.gapFrames()));
    }
    return out.isEmpty() ? Optional.empty() : Optional.of(out.toString());
  }

  private static String cores(Result r, String prefix) {
    double sum = 0;
    boolean any = false;
    for (Result.ProcessUsage p : r.processes()) {
      if ((p.name().equals(prefix) || p.name().startsWith(prefix + "-")) && p.averageCores() >= 0) {
        sum += p.averageCores();
        any = true;
      }
    }
    return any ? String.format(Locale.ROOT, "%.2f", sum) : "–";
  }

  private static String ms(double v) {
    return v < 1000 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%,.0f", v);
  }
}

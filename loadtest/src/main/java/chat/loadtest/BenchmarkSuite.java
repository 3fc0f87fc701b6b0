package chat.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The standard benchmark suite ({@code ./chat bench}): fresh local stacks, the scenarios that the
 * performance floors are measured by, and their figures written into {@code docs/benchmarks.md}
 * (between {@link SuiteReport}'s markers; the rest of the file is left as it is).
 *
 * <ol>
 *   <li>One node, fresh: 19,000 idle connections, RSS at 2,000, 5,000, 10,000 and 19,000.
 *   <li>One node, fresh: a warm-up, then groups of 20 at 500 sends/s, the knee search, and a
 *       reconnect storm of 5,000.
 *   <li>Three nodes (the dev-mode node and two that join it), fresh: a warm-up, groups at 100 sends/s
 *       and the knee search from there, users spread over the nodes.
 * </ol>
 *
 * <p>Each run is the generator ({@link LoadGenerator}) in a process of its own, as from the command line;
 * it shares the machine with what it measures. {@code --quick} runs the same steps, tiny, to check the suite itself;
 * its figures are not compared with the floors and go to {@code target/bench/suite-quick.md} unless
 * {@code --doc} says otherwise.
 *
 * <p>Exit code: 0 if every measured run passed and every one-node floor is met; 1 if a measured run
 * found a failure (loss, duplicates, reorders, failed sends or connections) or a floor is missed; 2 if a
 * run or a stack could not be made. A warm-up's failures are reported, not counted: it runs on a cold stack.
 */
public final class BenchmarkSuite {

  /** Options a node needs for the idle run: 19,000 connections, all from 127.0.0.1. */
  static final List<String> NODE_OPTIONS = List.of(
      "-Dchat.gateway.max-connections-per-ip=20000", "-Dpekko.http.server.max-connections=20000");

  /** One generator run of the suite; {@code warmUp} runs are reported but never compared with a floor. */
  record Step(String name, String title, List<String> args, boolean warmUp) {}

  /** A fresh stack of {@code nodes} nodes and the steps run against it, in order. */
  record Stack(String name, int nodes, List<Step> steps) {}

  /** What a step gave: its result, or why it could not be made. */
  record Outcome(Stack stack, Step step, Result result, String error, Path json) {}

  private BenchmarkSuite() {}

  public static void main(String[] args) {
    Map<String, String> options;
    List<Stack> stacks;
    try {
      options = parse(args);
      List<Integer> variants = List.of(options.getOrDefault("--nodes", "1,3").split(",")).stream()
          .map(String::strip).map(Integer::parseInt).toList();
      stacks = plan(variants, options.containsKey("--quick"));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    boolean quick = options.containsKey("--quick");
    Path distribution = Path.of(options.getOrDefault("--distribution", "chat-node/target"));
    Path dir = Path.of(options.getOrDefault("--dir", "target/bench"));
    Path doc = Path.of(options.getOrDefault("--doc", quick ? dir.resolve("suite-quick.md").toString() : "docs/benchmarks.md"));
    List<String> shown = new ArrayList<>(List.of(args));
    int commit = shown.indexOf("--commit");
    if (commit >= 0) {
      shown.subList(commit, commit + 2).clear();
    }
    String command = String.join(" ", "./chat", "bench", String.join(" ", shown)).strip();

    // Ctrl-C, a kill or the watchdog below: the stack and the generator of the moment are stopped
    Runtime.getRuntime().addShutdownHook(new Thread(BenchmarkSuite::stopEverything, "suite-stop"));
    // whatever hangs, the suite ends (and its shutdown hook stops the stacks) well within the hour and a half
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(TimeUnit.MINUTES.toMillis(quick ? 20 : 80));
        System.err.println("the suite exceeded its time limit; stopping");
        System.exit(2);
      } catch (InterruptedException e) {
        // finished in time
      }
    }, "suite-deadline");
    watchdog.setDaemon(true);
    watchdog.start();

    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<Outcome> outcomes = run(stacks, distribution, dir);
    Duration took = Duration.between(started, Instant.now());
    SuiteReport.Suite suite = new SuiteReport.Suite(command, options.getOrDefault("--commit", "unknown"), started, took,
        SuiteReport.Machine.current(), quick, outcomes);
    String section = SuiteReport.section(suite, dir);
    System.out.println(section);
    try {
      String current = Files.exists(doc) ? Files.readString(doc) : "";
      if (doc.toAbsolutePath().getParent() != null) {
        Files.createDirectories(doc.toAbsolutePath().getParent());
      }
      Files.writeString(doc, SuiteReport.replaceSection(current, section));
      System.out.println("written to " + doc);
    } catch (IOException | RuntimeException e) {
      System.err.println("cannot write " + doc + ": " + e);
      System.exit(2);
    }
    watchdog.interrupt();
    System.exit(SuiteReport.exitCode(suite));
  }

  /** Set once the JVM is shutting down: no stack or run starts after it. */
  private static volatile boolean stopping;
  private static volatile LocalStack currentStack;
  private static volatile Process currentGenerator;

  private static void stopEverything() {
    stopping = true;
    Process generator = currentGenerator;
    if (generator != null) {
      generator.destroyForcibly();
    }
    LocalStack stack = currentStack;
    if (stack != null) {
      System.err.println("stopping the stack ...");
      stack.close();
    }
  }

  static List<Stack> plan(List<Integer> variants, boolean quick) {
    List<Stack> stacks = new ArrayList<>();
    for (int nodes : variants) {
      if (nodes < 1) {
        throw new IllegalArgumentException("--nodes: a stack needs at least one node, not " + nodes);
      }
      String name = nodes == 1 ? "1-node" : nodes + "-nodes";
      if (nodes == 1) {
        stacks.add(new Stack(name + "-idle", 1, List.of(idle(quick))));
      }
      List<Step> steps = new ArrayList<>();
      if (nodes == 1) {
        steps.add(groups("warm-up", "warm-up: the next run's load, not compared with a floor", quick, true, 500));
        steps.add(groups("groups-500", quick ? "groups" : "groups of 20 at 500 sends/s", quick, false, 500));
        steps.add(knee(quick, 600, 1.15));
        steps.add(storm(quick));
      } else {
        // three node JVMs share the two cores with Cassandra and the generator: 500 sends/s is past what
        // they carry, so the fixed-rate run is at 100/s and the knee search starts there
        steps.add(groups("warm-up", "warm-up: the next run's load, not compared with a floor", quick, true, 100));
        steps.add(groups("groups-100", quick ? "groups" : "groups of 20 at 100 sends/s", quick, false, 100));
        steps.add(knee(quick, 100, 1.25));
      }
      stacks.add(new Stack(name, nodes, steps));
    }
    return stacks;
  }

  private static Step idle(boolean quick) {
    return quick
        ? new Step("idle", "idle connections", List.of("--scenario", "idle", "--connections", "1000",
            "--steps", "500,1000", "--seconds", "10"), false)
        : new Step("idle", "19,000 idle connections", List.of("--scenario", "idle", "--connections", "19000",
            "--steps", "2000,5000,10000,19000", "--seconds", "60"), false);
  }

  /**
   * Seconds a warm-up sends after its own 20 s: four minutes in all. On two cores the node's JIT compilers
   * still took 0.15 cores three minutes into the load (Cassandra's 0.1) and were done by the fifth
   * minute; the tail latency of the first minutes measures the compilers, not the node.
   */
  static final String WARM_UP_SECONDS = "220";

  private static Step groups(String name, String title, boolean quick, boolean warmUp, int rate) {
    List<String> args = new ArrayList<>(List.of("--scenario", "groups"));
    args.addAll(quick
        ? List.of("--rooms", "5", "--room-size", "10", "--rate", "50", "--warmup", "3", "--seconds", "10")
        : List.of("--rooms", "25", "--room-size", "20", "--rate", String.valueOf(rate), "--warmup", "20",
            "--seconds", warmUp ? WARM_UP_SECONDS : "60"));
    return new Step(name, title, args, warmUp);
  }

  private static Step knee(boolean quick, int start, double factor) {
    List<String> args = new ArrayList<>(List.of("--scenario", "groups", "--knee"));
    args.addAll(quick
        ? List.of("--rooms", "5", "--room-size", "10", "--knee-start", "20", "--knee-factor", "2",
            "--step-seconds", "5", "--settle-seconds", "2", "--max-steps", "2")
        : List.of("--rooms", "25", "--room-size", "20", "--knee-start", String.valueOf(start),
            "--knee-factor", String.valueOf(factor),
            "--step-seconds", "20", "--settle-seconds", "15", "--max-steps", "14"));
    return new Step("knee", quick ? "knee search" : "knee search, groups of 20", args, false);
  }

  private static Step storm(boolean quick) {
    List<String> args = new ArrayList<>(List.of("--scenario", "reconnect-storm"));
    args.addAll(quick
        ? List.of("--rooms", "10", "--room-size", "10", "--away", "5", "--rate", "20", "--seconds", "15",
            "--warmup", "3")
        : List.of("--rooms", "250", "--room-size", "20", "--away", "15", "--rate", "100", "--seconds", "40",
            "--warmup", "10"));
    return new Step("storm", quick ? "reconnect storm" : "reconnect storm of 5,000", args, false);
  }

  private static List<Outcome> run(List<Stack> stacks, Path distribution, Path dir) {
    List<Outcome> outcomes = new ArrayList<>();
    for (Stack stack : stacks) {
      if (stopping) {
        break;
      }
      System.err.println("== stack " + stack.name() + " (" + stack.nodes() + " node(s))");
      LocalStack local = new LocalStack(dir.resolve(stack.name()), System.err::println);
      currentStack = local;
      try {
        try {
          local.start(distribution, stack.nodes(), NODE_OPTIONS);
        } catch (RuntimeException e) {
          System.err.println("stack " + stack.name() + " did not start: " + e.getMessage());
          stack.steps().forEach(step -> outcomes.add(new Outcome(stack, step, null, "the stack did not start: " + e.getMessage(), null)));
          continue;
        }
        for (Step step : stack.steps()) {
          if (stopping) {
            break;
          }
          outcomes.add(runStep(stack, step, local, dir));
        }
      } finally {
        System.err.println("stopping stack " + stack.name() + " ...");
        local.close();
        currentStack = null;
      }
    }
    return outcomes;
  }

  private static Outcome runStep(Stack stack, Step step, LocalStack local, Path dir) {
    Path json = dir.resolve("results").resolve(stack.name() + "-" + step.name() + ".json").toAbsolutePath();
    List<String> args = new ArrayList<>(step.args());
    args.addAll(List.of(
        "--url", local.nodes().stream().map(n -> n.http().toString()).collect(Collectors.joining(",")),
        "--metrics", local.nodes().stream().map(n -> n.metrics().toString()).collect(Collectors.joining(",")),
        "--server-pid", local.nodes().stream().map(n -> String.valueOf(n.pid())).collect(Collectors.joining(",")),
        "--dev-dir", local.devDir().toAbsolutePath().toString(),
        "--out", json.toString()));
    String shown = "java -jar loadtest/target/chat-loadtest.jar " + String.join(" ", step.args());
    System.err.println("-- " + stack.name() + ": " + step.title() + ": " + shown);
    // a generator process of its own per run, as from the command line: no run inherits another's heap,
    // threads or sockets (the idle run leaves gigabytes behind)
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LoadGenerator.class.getName()));
    command.addAll(args);
    try {
      Files.deleteIfExists(json);
      Process generator = new ProcessBuilder(command).redirectErrorStream(true).start();
      currentGenerator = generator;
      try (var output = generator.getInputStream()) {
        output.transferTo(System.err);
      }
      int exit = generator.waitFor();
      currentGenerator = null;
      if (exit == 2 || !Files.isRegularFile(json)) {
        return new Outcome(stack, step, null, "the generator could not make the run (exit code " + exit + "; its output is"
            + " in the suite's log)", null);
      }
      return new Outcome(stack, step, ReportFiles.read(json), null, json);
    } catch (IOException | RuntimeException e) {
      System.err.println("run not made: " + e);
      return new Outcome(stack, step, null, String.valueOf(e.getMessage()), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(stack, step, null, "interrupted", null);
    }
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> known = List.of("--quick", "--nodes", "--distribution", "--dir", "--doc", "--commit");
    for (int i = 0; i < args.length; i++) {
      if (!known.contains(args[i])) {
        throw new IllegalArgumentException("unknown option " + args[i] + "\nusage: ./chat bench [--quick] [--nodes 1,3]"
            + " [--doc docs/benchmarks.md] [--dir target/bench] [--distribution chat-node/target] [--commit REV]");
      }
      if (args[i].equals("--quick")) {
        out.put("--quick", "true");
      } else if (i + 1 < args.length) {
        out.put(args[i], args[++i]);
      } else {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
    }
    return out;
  }
}

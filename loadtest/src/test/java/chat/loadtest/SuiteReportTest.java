package chat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SuiteReportTest {

  private static final SuiteReport.Machine MACHINE = new SuiteReport.Machine(2, "a CPU", 23.5, "Linux", "JDK 17");
  private static final BenchmarkSuite.Stack ONE = new BenchmarkSuite.Stack("1-node", 1, List.of());
  private static final BenchmarkSuite.Stack IDLE = new BenchmarkSuite.Stack("1-node-idle", 1, List.of());
  private static final BenchmarkSuite.Stack THREE = new BenchmarkSuite.Stack("3-nodes", 3, List.of());

  private static Result.Distribution latencies(double p50, double p99) {
    return new Result.Distribution(1000, p50, p50, p99, p99, p99, p99, List.of());
  }

  private static Result result(Result.Distribution receive, Double kneeRate, Result.Idle idle, Result.Storm storm,
      long lost, boolean passed) {
    return new Result("groups", "2026-12-05T06:00:00Z", "java -jar chat-loadtest.jar", Map.of("--room-size", "20"),
        new Result.Environment(2, "JDK 17", "Linux", 1), 60, new Result.Messages(30_000, 30_000, 30_000, 0, 500),
        new Result.Delivery(500, 25, 600_000, 600_000 - lost, lost, 0, lost > 0 ? 1 : 0, 0, 0, 0, 0, List.of()),
        Map.of(), List.of(), latencies(2, 20), receive, List.of(),
        List.of(new Result.ProcessUsage("node", 10, 60, 1.0, 1, 2, 3), new Result.ProcessUsage("node-2", 11, 30, 0.5, 1, 2, 3),
            new Result.ProcessUsage("cassandra", 12, 24, 0.4, 1, 2, 3)),
        null, Map.of(), idle, storm,
        kneeRate == null ? null : List.of(new Result.KneeStep(kneeRate, 20, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 2, 9, 5, true, "good")),
        kneeRate, null, passed, passed ? List.of() : List.of("1 lost"));
  }

  private static BenchmarkSuite.Outcome outcome(BenchmarkSuite.Stack stack, String step, boolean warmUp, Result r) {
    return new BenchmarkSuite.Outcome(stack, new BenchmarkSuite.Step(step, step, List.of("--scenario", step), warmUp), r,
        r == null ? "the stack did not start" : null, null);
  }

  private static Result.Idle idle(double kibPerConnection, long open) {
    return new Result.Idle(List.of(new Result.IdleStep(0, 1000, 1000, 0), new Result.IdleStep(2000, 2000, 2000, 5),
        new Result.IdleStep(19_000, 3000, 3000, 40)), kibPerConnection, 50.0, 60, open);
  }

  private static Result.Storm storm(long resumed) {
    return new Result.Storm(5000, resumed, 1500, 15, 44, 17_000, 40_000, 44_000, 0);
  }

  /** Every floor met on one node, with the 3-node stack's knee under the floor. */
  private static List<BenchmarkSuite.Outcome> allMet() {
    List<BenchmarkSuite.Outcome> out = new ArrayList<>();
    out.add(outcome(IDLE, "idle", false, result(latencies(0, 0), null, idle(29.0, 19_000), null, 0, true)));
    out.add(outcome(ONE, "warm-up", true, result(latencies(30, 900), null, null, null, 0, true)));
    out.add(outcome(ONE, "groups-500", false, result(latencies(4, 49.9), null, null, null, 0, true)));
    out.add(outcome(ONE, "knee", false, result(latencies(5, 200), 1000.0, null, null, 0, true)));
    out.add(outcome(ONE, "storm", false, result(latencies(5, 60), null, null, storm(5000), 0, true)));
    out.add(outcome(THREE, "warm-up", true, result(latencies(90, 3000), null, null, null, 1, false)));
    out.add(outcome(THREE, "knee", false, result(latencies(9, 120), 400.0, null, null, 0, true)));
    return out;
  }

  private static SuiteReport.Suite suite(List<BenchmarkSuite.Outcome> outcomes) {
    return new SuiteReport.Suite("./chat bench", "abc1234", Instant.parse("2026-12-05T06:00:00Z"), Duration.ofMinutes(40),
        MACHINE, false, outcomes);
  }

  private static boolean met(List<SuiteReport.Floor> floors, String stack, String floorStart) {
    return floors.stream().filter(f -> f.stack().equals(stack) && f.floor().startsWith(floorStart)).findFirst()
        .orElseThrow(() -> new AssertionError("no floor " + floorStart + " for " + stack)).met();
  }

  @Test
  void floorsAreJudgedAgainstTheirThresholdsAndTheWarmUpIsNotOneOfThem() {
    List<SuiteReport.Floor> floors = SuiteReport.floors(suite(allMet()));
    assertEquals(6, floors.size(), "idle, p50, p99, knee, storm on one node; the knee on three: " + floors);
    assertTrue(floors.stream().filter(f -> f.stack().equals("1-node")).allMatch(SuiteReport.Floor::met), floors::toString);
    assertFalse(met(floors, "3-nodes", "knee"));
    assertEquals(0, SuiteReport.exitCode(suite(allMet())),
        "neither a three-node miss nor a failed warm-up decides the exit code");
  }

  @Test
  void eachFloorIsMissedJustPastItsThreshold() {
    List<BenchmarkSuite.Outcome> o = allMet();
    o.set(0, outcome(IDLE, "idle", false, result(latencies(0, 0), null, idle(29.4, 19_000), null, 0, true)));
    o.set(2, outcome(ONE, "groups-500", false, result(latencies(10.1, 50.1), null, null, null, 0, true)));
    o.set(3, outcome(ONE, "knee", false, result(latencies(5, 200), 999.0, null, null, 0, true)));
    o.set(4, outcome(ONE, "storm", false, result(latencies(5, 60), null, null, storm(4999), 0, true)));
    List<SuiteReport.Floor> floors = SuiteReport.floors(suite(o));
    assertFalse(met(floors, "1-node", "19,000 idle"), "29.4 KiB is 30.1 kB");
    assertFalse(met(floors, "1-node", "500 sends/s in rooms of 20: p50"));
    assertFalse(met(floors, "1-node", "500 sends/s in rooms of 20: p99"));
    assertFalse(met(floors, "1-node", "knee"));
    assertFalse(met(floors, "1-node", "reconnect storm"));
    assertEquals(1, SuiteReport.exitCode(suite(o)));
  }

  @Test
  void aFailedRunMissesItsFloorsWhateverItsLatencies() {
    List<BenchmarkSuite.Outcome> o = allMet();
    o.set(2, outcome(ONE, "groups-500", false, result(latencies(2, 20), null, null, null, 1, false)));
    o.set(0, outcome(IDLE, "idle", false, result(latencies(0, 0), null, idle(10, 18_999), null, 0, true)));
    List<SuiteReport.Floor> floors = SuiteReport.floors(suite(o));
    assertFalse(met(floors, "1-node", "500 sends/s in rooms of 20: p99"));
    assertFalse(met(floors, "1-node", "19,000 idle"), "a connection closed while held");
    assertEquals(1, SuiteReport.exitCode(suite(o)));
  }

  @Test
  void theKneeCountsOnlyInRoomsOf20AndWithNothingLostButNotTheOverloadedStepsConnectionErrors() {
    List<BenchmarkSuite.Outcome> o = allMet();
    o.set(3, outcome(ONE, "knee", false, result(latencies(5, 200), 1500.0, null, null, 0, false)));
    assertTrue(met(SuiteReport.floors(suite(o)), "1-node", "knee"), "a failed run with nothing lost: connection errors");
    o.set(3, outcome(ONE, "knee", false, result(latencies(5, 200), 1500.0, null, null, 2, false)));
    assertFalse(met(SuiteReport.floors(suite(o)), "1-node", "knee"), "2 lost");
    Result small = result(latencies(5, 200), 1500.0, null, null, 0, true);
    Map<String, Object> parameters = new java.util.HashMap<>(small.parameters());
    parameters.put("--room-size", "10");
    Result inRoomsOf10 = new Result(small.scenario(), small.startedAt(), small.command(), parameters, small.environment(),
        small.seconds(), small.messages(), small.delivery(), small.errors(), small.errorSamples(), small.ack(),
        small.receive(), small.timeline(), small.processes(), small.serverMetrics(), small.counts(), small.idle(),
        small.storm(), small.knee(), small.kneeLastGoodRate(), small.push(), small.passed(), small.failures());
    o.set(3, outcome(ONE, "knee", false, inRoomsOf10));
    assertFalse(met(SuiteReport.floors(suite(o)), "1-node", "knee"), "rooms of 10");
  }

  @Test
  void lateItemsAreShownAndMissNoFloor() {
    List<BenchmarkSuite.Outcome> o = allMet();
    Result storm = result(latencies(5, 60), null, null, storm(5000), 0, true);
    Result.Delivery d = storm.delivery();
    Result late = new Result(storm.scenario(), storm.startedAt(), storm.command(), storm.parameters(),
        storm.environment(), storm.seconds(), storm.messages(), new Result.Delivery(d.receivers(), d.rooms(),
            d.expected(), d.delivered(), 0, 9, 0, 0, 0, 0, 0, List.of()), storm.errors(), storm.errorSamples(),
        storm.ack(), storm.receive(), storm.timeline(), storm.processes(), storm.serverMetrics(), storm.counts(),
        storm.idle(), storm.storm(), storm.knee(), storm.kneeLastGoodRate(), storm.push(), storm.passed(),
        storm.failures());
    o.set(4, outcome(ONE, "storm", false, late));
    assertTrue(met(SuiteReport.floors(suite(o)), "1-node", "reconnect storm"));
    assertTrue(SuiteReport.floors(suite(o)).stream().anyMatch(f -> f.measured().contains("lost 0, late 9, duplicates 0")));
    String section = SuiteReport.section(suite(o), Path.of("target/bench"));
    assertTrue(section.contains("| lost, late, dup, reord |"), section);
    assertTrue(section.contains("| 600,000 / 600,000 | 0, 9, 0, 0 |"), section);
    assertEquals(0, SuiteReport.exitCode(suite(o)));
  }

  @Test
  void aRunThatWasNotMadeIsExitCodeTwo() {
    List<BenchmarkSuite.Outcome> o = allMet();
    o.add(outcome(THREE, "knee", false, null));
    assertEquals(2, SuiteReport.exitCode(suite(o)));
    assertTrue(SuiteReport.section(suite(o), Path.of("target/bench")).contains("not made: the stack did not start"));
  }

  @Test
  void theSectionNamesTheCommandTheMachineTheVerdictsAndSumsTheNodes() {
    String section = SuiteReport.section(suite(allMet()), Path.of("target/bench"));
    assertTrue(section.contains("`./chat bench` at commit `abc1234`"), section);
    assertTrue(section.contains("2 cores (a CPU)"), section);
    assertTrue(section.contains("| 1-node | knee ≥ 1,000 persisted sends/s in rooms of 20 (≥ 20,000 deliveries/s) |"
        + " 1,000 sends/s (20,000 deliveries/s) | met |"), section);
    assertTrue(section.contains("| 3-nodes | knee ≥ 1,000 persisted sends/s in rooms of 20 (≥ 20,000 deliveries/s) |"
        + " 400 sends/s (8,000 deliveries/s) | **not met** |"), section);
    assertTrue(section.contains("| 3-nodes | warm-up | 500 |"), section);
    assertTrue(section.contains("**failed**: 1 lost |"), "a failed warm-up is shown: " + section);
    assertTrue(section.contains("| 1.50 | 0.40 |"), "node cores summed over node and node-2: " + section);
  }

  @Test
  void theSectionGoesBeforeTheFirstHeadingOnceAndIsReplacedInPlace() {
    String doc = "# Benchmarks\n\nIntro.\n\n## Running\n\nText.\n";
    String first = SuiteReport.replaceSection(doc, "## Suite\n\nrun 1\n");
    assertEquals("# Benchmarks\n\nIntro.\n\n" + SuiteReport.BEGIN + "\n## Suite\n\nrun 1\n" + SuiteReport.END
        + "\n\n## Running\n\nText.\n", first);
    String second = SuiteReport.replaceSection(first, "## Suite\n\nrun 2\n");
    assertEquals(first.replace("run 1", "run 2"), second);
    assertEquals(SuiteReport.BEGIN + "\nx\n" + SuiteReport.END + "\n", SuiteReport.replaceSection("", "x"));
  }
}

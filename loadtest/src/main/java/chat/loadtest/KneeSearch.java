package chat.loadtest;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * {@code --scenario groups --knee}: the groups set-up, then steps of rising total send rate
 * ({@code --knee-start}, times {@code --knee-factor} per step). Each step sends for {@code --settle-seconds}
 * (not timed) and then {@code --step-seconds} (timed), then waits for its deliveries (at most
 * {@code --drain-seconds}, then {@code --late-seconds} for what is still missing). A step is good if its p99
 * send-to-receive is at most {@code --knee-p99} ms, nothing was lost, delivered late, duplicated or
 * reordered and no send failed; the search stops at the first bad step (or after {@code --max-steps}) and
 * reports the last good rate and every step. Late items make a step bad though they do not fail the run:
 * a rate whose deliveries take longer than the drain is not one the node sustains.
 */
final class KneeSearch implements Scenario {

  @Override
  public String name() {
    return "groups";
  }

  @Override
  public void run(Run run) {
    Options o = run.options();
    List<TrackedRoom> rooms = GroupsScenario.setUp(run, o.integer("--rooms"), o.integer("--room-size"), 0);
    List<Traffic.Sender> senders = GroupsScenario.senders(rooms);
    Traffic traffic = new Traffic(run, senders);
    double rate = o.number("--knee-start");
    double factor = o.number("--knee-factor");
    double settle = o.number("--settle-seconds");
    double seconds = o.number("--step-seconds");
    double limit = o.number("--knee-p99");
    List<Result.KneeStep> steps = new ArrayList<>();
    run.knee = steps;
    run.sendFailuresAreFindings = true;
    run.startMeasurement();
    Totals before = Totals.of(run);
    for (int i = 0; i < o.integer("--max-steps") && run.secondsLeft() > settle + seconds + 60; i++) {
      run.rate(rate);
      Scenario.warnIfOverUserRate(run, rate, senders.size());
      run.latencies().measureFrom(run.nanos() + (long) (settle * 1e9));
      run.phase(String.format("step %d: %.0f/s", i + 1, rate));
      traffic.run(rate, settle + seconds, Long.MAX_VALUE);
      run.drain();
      Histogram[] measured = run.latencies().closeStep();
      Totals after = Totals.of(run);
      Result.KneeStep step = step(rate, seconds, before, after, measured[0], measured[1], limit);
      steps.add(step);
      run.say(String.format("knee step %d: %.0f msgs/s: p50 %.1f ms, p99 %.1f ms, lost %d, late %d, dup %d,"
              + " reordered %d, failed %d: %s", i + 1, rate, step.receiveP50(), step.receiveP99(), step.lost(),
          step.late(), step.duplicates(), step.reorders(), step.failed(), step.verdict()));
      if (!step.good()) {
        break;
      }
      run.kneeLastGoodRate = rate;
      before = after;
      rate = Math.round(rate * factor);
    }
    run.stopMeasurement();
  }

  private static Result.KneeStep step(double rate, double seconds, Totals b, Totals a, Histogram ack, Histogram receive,
      double limit) {
    long failed = a.failed - b.failed;
    long lost = a.missing - b.missing;
    long late = a.late - b.late;
    long dups = a.duplicates - b.duplicates;
    long reorders = a.reorders - b.reorders;
    double p99 = Latencies.millis(receive.getValueAtPercentile(99));
    List<String> bad = new ArrayList<>();
    if (p99 > limit) {
      bad.add("p99 over " + limit + " ms");
    }
    if (lost > 0 || dups > 0 || reorders > 0) {
      bad.add("lost, duplicated or reordered");
    }
    if (late > 0) {
      bad.add("delivered late");
    }
    if (failed > 0) {
      bad.add("sends failed");
    }
    if (receive.getTotalCount() == 0) {
      bad.add("nothing received");
    }
    return new Result.KneeStep(rate, seconds, a.sent - b.sent, a.acked - b.acked, failed, a.expected - b.expected,
        a.delivered - b.delivered, lost, late, dups, reorders, receive.getTotalCount(),
        Latencies.millis(receive.getValueAtPercentile(50)), p99, Latencies.millis(ack.getValueAtPercentile(99)),
        bad.isEmpty(), bad.isEmpty() ? "good" : String.join(", ", bad));
  }

  /** Cumulative figures of the run so far; a step is the difference of two. */
  private record Totals(long sent, long acked, long failed, long expected, long delivered, long missing, long late,
      long duplicates, long reorders) {

    static Totals of(Run run) {
      long expected = 0;
      long delivered = 0;
      long late = 0;
      long duplicates = 0;
      long reorders = 0;
      for (TrackedRoom room : run.rooms()) {
        long end = room.end();
        for (Member m : room.receivers) {
          Accounting a = m.accounting(room.roomId);
          expected += end - a.base();
          delivered += a.delivered();
          late += a.late();
          duplicates += a.duplicates();
          reorders += a.reorders();
        }
      }
      Counters c = run.counters();
      return new Totals(c.sent.sum(), c.acked.sum(), c.refused.sum() + c.notSent.sum(), expected, delivered,
          expected - delivered, late, duplicates, reorders);
    }
  }
}

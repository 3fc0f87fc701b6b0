package chat.loadtest;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code --connections N [--steps a,b,...]}: N authenticated connections (each its own user and device)
 * that only keep their heartbeat: how many the server holds and what one costs. At 0 connections and at
 * each step (by default 2,000 and N) it waits for the servers to settle and records the node's and the
 * generator's RSS; the slope between the first and the last step, in KiB per connection, is the report's
 * memory-per-connection figure. Then it holds all of them for {@code --seconds}: every one must still be
 * open at the end (heartbeats work, nothing is dropped).
 *
 * <p>RSS is what the OS charges the JVM, including heap not yet collected: it is an upper bound on the
 * cost of a connection, and noisy with small steps. Dev mode allows 16,000 connections from one address.
 */
final class IdleScenario implements Scenario {

  private static final long SETTLE_MILLIS = 5_000;

  @Override
  public String name() {
    return "idle";
  }

  @Override
  public void run(Run run) {
    Options o = run.options();
    List<Integer> steps = o.steps();
    run.startMeasurement();
    List<Result.IdleStep> recorded = new ArrayList<>();
    recorded.add(record(run, 0, 0));
    List<Member> all = new ArrayList<>();
    for (int target : steps) {
      long started = System.nanoTime();
      // a kind per step: newMembers numbers from 0 each time
      List<Member> batch = run.newMembers("i" + recorded.size(), target - all.size());
      run.connect(batch);
      all.addAll(batch);
      recorded.add(record(run, all.size(), (System.nanoTime() - started) / 1e9));
    }
    run.phase("holding");
    long holdUntil = System.nanoTime() + (long) (o.number("--seconds") * 1e9);
    while (System.nanoTime() < holdUntil && run.secondsLeft() > 30) {
      Run.sleep(500);
    }
    long open = all.stream().filter(Member::connected).count();
    run.stopMeasurement();
    Result.IdleStep first = recorded.get(recorded.size() > 2 ? 1 : 0);
    Result.IdleStep last = recorded.get(recorded.size() - 1);
    long connections = last.connections() - first.connections();
    Double server = connections > 0 && last.serverRssKb() >= 0
        ? round((last.serverRssKb() - first.serverRssKb()) / (double) connections) : null;
    Double generator = connections > 0 ? round((last.generatorRssKb() - first.generatorRssKb()) / (double) connections) : null;
    run.idle = new Result.Idle(recorded, server, generator, (long) o.number("--seconds"), open);
    if (open < all.size()) {
      run.scenarioFailures.add((all.size() - open) + " of " + all.size() + " idle connections closed while held");
    }
  }

  private static Result.IdleStep record(Run run, long connections, double secondsToConnect) {
    run.phase("settling at " + connections);
    Run.sleep(SETTLE_MILLIS);
    long server = run.processes().rssKbNow("node");
    long generator = run.processes().rssKbNow("generator");
    run.say(String.format("idle: %d connections, node RSS %s, generator RSS %d MiB", connections,
        server < 0 ? "unknown (no --server-pid)" : server / 1024 + " MiB", generator / 1024));
    return new Result.IdleStep(connections, server, generator, Math.round(secondsToConnect * 10) / 10.0);
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}

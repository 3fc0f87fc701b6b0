package chat.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * {@code --rooms R --room-size K --away S}: R rooms, each with one sender who stays connected and K
 * receivers with devices. After the warm-up every receiver drops its connection at once (no close
 * handshake, like a network loss), messages keep coming for S seconds, then all reconnect at once as the
 * same devices and resume; sending goes on for {@code --seconds}. Passes if every receiver resumed
 * ({@code synced}) and, over all connections, has every message exactly once past what it acknowledged
 * (what it had received but not acknowledged may come again: counted as redelivered, not as duplicate).
 */
final class ReconnectStormScenario implements Scenario {

  @Override
  public String name() {
    return "reconnect-storm";
  }

  @Override
  public void run(Run run) {
    Options o = run.options();
    int rooms = o.integer("--rooms");
    int size = o.integer("--room-size");
    List<TrackedRoom> tracked = GroupsScenario.setUp(run, rooms, size + 1, 0);
    List<Member> receivers = new ArrayList<>();
    List<List<Member>> senders = new ArrayList<>();
    for (TrackedRoom room : tracked) {
      senders.add(List.of(room.receivers.get(0)));
      receivers.addAll(room.receivers.subList(1, room.receivers.size()));
    }
    List<Traffic.Sender> traffic = Scenario.interleaved(tracked, senders);
    double rate = o.number("--rate");
    Scenario.warnIfOverUserRate(run, rate, traffic.size());
    double warmup = o.number("--warmup");
    double away = o.number("--away");
    double after = o.number("--seconds");

    Histogram syncMillis = new Histogram(3);
    long[] sentAtDrop = new long[1];
    long[] reconnectNanos = new long[2];
    List<CompletableFuture<?>> resumed = new ArrayList<>();
    var scheduler = run.fleet().scheduler();
    // just before the drop every receiver acknowledges and confirms: its resume must not replay any of that
    scheduler.schedule(() -> receivers.forEach(m -> {
      m.acknowledge();
      m.confirmAcknowledged();
    }), (long) (Math.max(0, warmup - 2) * 1000), TimeUnit.MILLISECONDS);
    scheduler.schedule(() -> {
      run.phase("away");
      sentAtDrop[0] = run.counters().scheduled.sum();
      receivers.forEach(Member::drop);
    }, (long) (warmup * 1000), TimeUnit.MILLISECONDS);
    scheduler.schedule(() -> {
      run.phase("reconnecting");
      long start = System.nanoTime();
      reconnectNanos[0] = start;
      sentAtDrop[0] = run.counters().scheduled.sum() - sentAtDrop[0];
      List<CompletableFuture<Member>> welcomed = new ArrayList<>();
      for (Member m : receivers) {
        CompletableFuture<Member> connected = m.reconnect();
        welcomed.add(connected);
        synchronized (resumed) {
          resumed.add(connected.thenCompose(c -> m.synced()).thenRun(() -> {
            synchronized (syncMillis) {
              syncMillis.recordValue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
          }));
        }
      }
      CompletableFuture.allOf(welcomed.toArray(CompletableFuture[]::new))
          .whenComplete((ok, failure) -> reconnectNanos[1] = System.nanoTime());
    }, (long) ((warmup + away) * 1000), TimeUnit.MILLISECONDS);

    run.startMeasurement();
    run.rate(rate);
    run.latencies().measureFrom(run.nanos() + (long) (warmup * 1e9));
    run.phase("sending");
    new Traffic(run, traffic).run(rate, warmup + away + after, o.longValue("--max-messages"));
    CompletableFuture<?>[] all;
    synchronized (resumed) {
      all = resumed.toArray(CompletableFuture[]::new);
    }
    try {
      CompletableFuture.allOf(all).get(Math.max(1, Math.min(run.secondsLeft() - 30, o.longValue("--drain-seconds"))),
          TimeUnit.SECONDS);
    } catch (Exception e) {
      // counted below: fewer resumed than expected
    }
    run.drain();
    run.stopMeasurement();
    long ok = java.util.Arrays.stream(all).filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
    double reconnectSeconds = reconnectNanos[1] > 0 ? (reconnectNanos[1] - reconnectNanos[0]) / 1e9 : -1;
    synchronized (syncMillis) {
      run.storm = new Result.Storm(receivers.size(), ok, sentAtDrop[0], away, Math.round(reconnectSeconds * 100) / 100.0,
          syncMillis.getValueAtPercentile(50), syncMillis.getValueAtPercentile(99), syncMillis.getMaxValue(),
          run.counters().get("gap frames"));
    }
    if (all.length < receivers.size() || ok < receivers.size()) {
      run.scenarioFailures.add((receivers.size() - ok) + " of " + receivers.size() + " receivers did not resume");
    }
  }
}

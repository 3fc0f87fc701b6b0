package chat.loadtest;

import chat.protocol.AckResult;
import chat.protocol.ClientFrame;
import chat.protocol.PresenceStatus;
import chat.protocol.ServerFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The groups scenario plus what else an open app does: every member watches the presence of its room's
 * other members; every second a tenth of the members send {@code typing} (within the server's 2/s limit);
 * every 10 s a twentieth of the members go {@code away} and come back {@code online} 5 s later, which
 * their watchers are pushed. Messages are measured as in groups; typing and presence frames are counted.
 */
final class MixedScenario implements Scenario {

  @Override
  public String name() {
    return "mixed";
  }

  @Override
  public void run(Run run) {
    Options o = run.options();
    List<TrackedRoom> rooms = GroupsScenario.setUp(run, o.integer("--rooms"), o.integer("--room-size"), 0);
    List<CompletableFuture<AckResult.PresenceList>> watches = new ArrayList<>();
    for (TrackedRoom room : rooms) {
      for (Member m : room.receivers) {
        List<String> others = room.receivers.stream().filter(x -> x != m).map(x -> x.user).toList();
        watches.add(m.client().ask(id -> new ClientFrame.WatchPresence(id, others), AckResult.PresenceList.class));
      }
    }
    run.await(CompletableFuture.allOf(watches.toArray(CompletableFuture[]::new)), "watching presence");
    List<Traffic.Sender> senders = GroupsScenario.senders(rooms);
    Scenario.warnIfOverUserRate(run, o.number("--rate"), senders.size());
    List<Traffic.Sender> everyone = senders;
    var scheduler = run.fleet().scheduler();
    ScheduledFuture<?> typing = scheduler.scheduleAtFixedRate(() -> {
      for (Traffic.Sender s : everyone) {
        if (ThreadLocalRandom.current().nextInt(10) == 0) {
          request(run, s.member(), id -> new ClientFrame.Typing(id, s.room().roomId, true), "typing sent");
        }
      }
    }, 1, 1, TimeUnit.SECONDS);
    ScheduledFuture<?> presence = scheduler.scheduleAtFixedRate(() -> {
      for (Traffic.Sender s : everyone) {
        if (ThreadLocalRandom.current().nextInt(20) == 0) {
          request(run, s.member(), id -> new ClientFrame.SetPresence(id, PresenceStatus.AWAY, null), "presence changes sent");
          scheduler.schedule(() -> request(run, s.member(),
              id -> new ClientFrame.SetPresence(id, PresenceStatus.ONLINE, null), "presence changes sent"),
              5, TimeUnit.SECONDS);
        }
      }
    }, 2, 10, TimeUnit.SECONDS);
    try {
      run.startMeasurement();
      run.send(senders, o.number("--rate"));
    } finally {
      typing.cancel(false);
      presence.cancel(false);
    }
    run.drain();
    run.stopMeasurement();
  }

  private static void request(Run run, Member m, java.util.function.Function<String, ClientFrame> frame, String counter) {
    LoadClient c = m.client();
    if (c == null || !c.isOpen()) {
      return;
    }
    run.counters().count(counter);
    c.request(frame).whenComplete((answer, failure) -> {
      if (answer instanceof ServerFrame.Error e) {
        run.errors().count(Errors.CONNECTION + "refused." + e.code(), m.user + ": " + e.message());
      }
    });
  }
}

package chat.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** {@code --pairs N}: N one-to-one rooms (DMs), both members sending and receiving. */
final class PairsScenario implements Scenario {

  @Override
  public String name() {
    return "pairs";
  }

  @Override
  public void run(Run run) {
    Options o = run.options();
    int pairs = o.integer("--pairs");
    List<Member> members = run.newMembers("p", 2 * pairs);
    run.connect(members);
    List<CompletableFuture<TrackedRoom>> opened = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      opened.add(run.openDm(members.get(2 * i), members.get(2 * i + 1)));
    }
    run.await(CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)), "opening " + pairs + " DMs");
    List<TrackedRoom> rooms = opened.stream().map(CompletableFuture::join).toList();
    List<Traffic.Sender> senders = GroupsScenario.senders(rooms);
    Scenario.warnIfOverUserRate(run, o.number("--rate"), senders.size());
    run.startMeasurement();
    run.send(senders, o.number("--rate"));
    run.drain();
    run.stopMeasurement();
  }
}

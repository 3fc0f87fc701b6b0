package chat.loadtest;

import chat.protocol.Visibility;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code --rooms R --room-size K}: R group rooms of K connected members each, every member sending (the
 * {@code --rate} spread over all of them) and receiving. With {@code --offline M}, each room also has M
 * members who never connect, so every message is a push request for each; with {@code --kafka}, the run
 * ends by checking the push request topic holds all of them ({@link PushAudit}).
 */
final class GroupsScenario implements Scenario {

  @Override
  public String name() {
    return "groups";
  }

  @Override
  public void run(Run run) {
    Options o = run.options();
    List<TrackedRoom> rooms = setUp(run, o.integer("--rooms"), o.integer("--room-size"), o.integer("--offline"));
    List<Traffic.Sender> senders = senders(rooms);
    Scenario.warnIfOverUserRate(run, o.number("--rate"), senders.size());
    run.startMeasurement();
    run.send(senders, o.number("--rate"));
    run.drain();
    run.stopMeasurement();
    String kafka = o.string("--kafka");
    if (!kafka.isEmpty() && o.integer("--offline") > 0) {
      run.phase("push audit");
      List<PushAudit.Expected> expected = rooms.stream()
          .map(r -> new PushAudit.Expected(r.roomId, r.offline, r.base + 1, r.end())).toList();
      run.push = PushAudit.audit(kafka, expected, Duration.ofSeconds(o.integer("--push-timeout")));
      run.say(run.push.render());
    }
  }

  /** Connects {@code rooms * size} members and creates the rooms (member 0 of each creates it). */
  static List<TrackedRoom> setUp(Run run, int rooms, int size, int offline) {
    if (size < 2 || size - 1 + offline > 100) {
      throw new IllegalArgumentException("--room-size must be 2 or more, and room-size - 1 + offline at most 100"
          + " (the members one create_room may add)");
    }
    List<Member> members = run.newMembers("g", rooms * size);
    run.connect(members);
    List<CompletableFuture<TrackedRoom>> created = new ArrayList<>();
    for (int r = 0; r < rooms; r++) {
      List<Member> in = members.subList(r * size, (r + 1) * size);
      List<String> away = new ArrayList<>();
      for (int i = 0; i < offline; i++) {
        away.add(run.tag() + "-off-" + r + "-" + i);
      }
      created.add(run.createGroup(in.get(0), in.subList(1, size), away, Visibility.PRIVATE));
    }
    run.await(CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)), "creating " + rooms + " rooms");
    return created.stream().map(CompletableFuture::join).toList();
  }

  static List<Traffic.Sender> senders(List<TrackedRoom> rooms) {
    return Scenario.interleaved(rooms, rooms.stream().map(r -> (List<Member>) new ArrayList<>(r.receivers)).toList());
  }
}

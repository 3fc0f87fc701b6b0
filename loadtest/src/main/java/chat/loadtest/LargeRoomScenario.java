package chat.loadtest;

import chat.protocol.AckResult;
import chat.protocol.ClientFrame;
import chat.protocol.Visibility;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code --members N --senders S}: one room of N connected members (a public room: the creator adds the
 * first 100, the others join), of whom S send and all receive; the fan-out case. Setting it up costs the
 * server about N²/2 {@code member_joined} pushes before anything is measured.
 */
final class LargeRoomScenario implements Scenario {

  private static final int JOINS_AT_ONCE = 20;

  @Override
  public String name() {
    return "large-room";
  }

  @Override
  public void run(Run run) {
    Options o = run.options();
    int n = o.integer("--members");
    int senderCount = Math.min(o.integer("--senders"), n);
    List<Member> members = run.newMembers("l", n);
    run.connect(members);
    Member creator = members.get(0);
    List<Member> initial = members.subList(1, Math.min(n, 101));
    List<String> names = initial.stream().map(m -> m.user).toList();
    String roomId = run.await(creator.client().ask(
        id -> new ClientFrame.CreateRoom(id, null, "large " + run.tag(), names, Visibility.PUBLIC),
        AckResult.Room.class), "creating the room").room().roomId();
    Throttle joins = new Throttle(JOINS_AT_ONCE);
    List<CompletableFuture<AckResult.Room>> joined = new ArrayList<>();
    for (Member m : members.subList(Math.min(n, 101), n)) {
      joined.add(joins.submit(() -> m.client().ask(id -> new ClientFrame.Join(id, roomId), AckResult.Room.class)));
    }
    run.await(CompletableFuture.allOf(joined.toArray(CompletableFuture[]::new)), "joining " + joined.size() + " members");
    AckResult.Room room = run.await(creator.client().ask(id -> new ClientFrame.GetRoom(id, roomId), AckResult.Room.class),
        "reading the room");
    TrackedRoom tracked = run.track(room.room(), creator, members.subList(1, n), List.of());
    List<Traffic.Sender> senders = new ArrayList<>();
    for (Member m : members.subList(0, senderCount)) {
      senders.add(new Traffic.Sender(m, tracked));
    }
    Scenario.warnIfOverUserRate(run, o.number("--rate"), senders.size());
    run.startMeasurement();
    run.send(senders, o.number("--rate"));
    run.drain();
    run.stopMeasurement();
  }
}

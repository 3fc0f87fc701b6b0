package chat.loadtest;

import java.util.List;

/**
 * A named way of loading the server ({@code --scenario NAME}). It sets up its members and rooms on the
 * {@link Run}, measures, and leaves the figures on the run, which builds the {@link Result}.
 */
interface Scenario {

  String name();

  void run(Run run);

  List<String> NAMES = List.of("pairs", "groups", "large-room", "idle", "reconnect-storm", "mixed");

  static Scenario named(String name, boolean knee) {
    return switch (name) {
      case "pairs" -> new PairsScenario();
      case "groups" -> knee ? new KneeSearch() : new GroupsScenario();
      case "large-room" -> new LargeRoomScenario();
      case "idle" -> new IdleScenario();
      case "reconnect-storm" -> new ReconnectStormScenario();
      case "mixed" -> new MixedScenario();
      default -> throw new IllegalArgumentException("unknown scenario " + name + "; one of " + NAMES);
    };
  }

  /** The server refuses sends over 10/s per user (bursts of 30) by default: say so before it does. */
  static void warnIfOverUserRate(Run run, double rate, int senders) {
    double perUser = rate / senders;
    if (perUser > 10) {
      run.say(String.format("warning: %.1f sends/s per sender is over the server's default limit of 10/s per user;"
          + " expect too_many_requests (use more senders or a lower --rate)", perUser));
    }
  }

  /** The sends of every sender into their room, interleaved so consecutive messages go to different rooms. */
  static List<Traffic.Sender> interleaved(List<TrackedRoom> rooms, List<List<Member>> sendersPerRoom) {
    List<Traffic.Sender> out = new java.util.ArrayList<>();
    int most = sendersPerRoom.stream().mapToInt(List::size).max().orElse(0);
    for (int i = 0; i < most; i++) {
      for (int r = 0; r < rooms.size(); r++) {
        List<Member> senders = sendersPerRoom.get(r);
        if (i < senders.size()) {
          out.add(new Traffic.Sender(senders.get(i), rooms.get(r)));
        }
      }
    }
    return out;
  }
}

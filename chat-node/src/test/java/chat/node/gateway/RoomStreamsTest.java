package chat.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chat.node.room.ChatRoom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoomStreamsTest {

  /** Records decisions as short strings: "r:5" item, "gap r 2-4", "caught r 9", "synced 2", "replay r 6". */
  private static final class Recorder implements RoomStreams.Output {
    final List<String> out = new ArrayList<>();

    @Override
    public void item(ChatRoom.TimelineEntry entry) {
      out.add(entry.roomId() + ":" + entry.seq());
    }

    @Override
    public void gap(String roomId, long from, long to) {
      out.add("gap " + roomId + " " + from + "-" + to);
    }

    @Override
    public void caughtUp(String roomId, long seq) {
      out.add("caught " + roomId + " " + seq);
    }

    @Override
    public void synced(int rooms) {
      out.add("synced " + rooms);
    }

    @Override
    public void catchUp(String roomId, long fromSeq) {
      out.add("replay " + roomId + " " + fromSeq);
    }

    @Override
    public void baseline(String roomId, long seq) {
      out.add("baseline " + roomId + " " + seq);
    }

    List<String> take() {
      List<String> taken = List.copyOf(out);
      out.clear();
      return taken;
    }
  }

  private static ChatRoom.TimelineEntry e(String room, long seq) {
    return new ChatRoom.TimelineEntry(room, seq, new ChatRoom.MessagePosted("u", "c" + seq, "b", seq));
  }

  private final RoomStreams streams = new RoomStreams();
  private final Recorder out = new Recorder();

  @Test
  void livePushesPassInOrderAndDuplicatesAreDropped() {
    streams.live(e("a", 4), out);
    streams.live(e("a", 5), out);
    streams.live(e("a", 5), out);
    streams.live(e("a", 3), out);
    assertEquals(List.of("a:4", "a:5"), out.take());
  }

  @Test
  void aMissingLivePushIsReplayedAndWhatFollowsWaits() {
    streams.live(e("a", 1), out);
    streams.live(e("a", 3), out);
    streams.live(e("a", 4), out);
    assertEquals(List.of("a:1", "replay a 2"), out.take());

    streams.replayed(e("a", 2), out);
    streams.replayed(e("a", 3), out);
    streams.roomDone("a", 3, false, out);
    assertEquals(List.of("a:2", "a:3", "a:4", "caught a 4"), out.take());

    streams.live(e("a", 5), out);
    assertEquals(List.of("a:5"), out.take());
  }

  @Test
  void liveItemsDuringTheInitialReplayAreHeldAndJoinedWithoutDuplicates() {
    streams.startInitialSync(java.util.Map.of("a", 5L, "b", 3L), out);
    streams.live(e("a", 7), out);
    streams.live(e("a", 8), out);
    streams.live(e("b", 3), out);
    assertEquals(List.of(), out.take());

    streams.replayed(e("a", 5), out);
    streams.replayed(e("a", 6), out);
    streams.replayed(e("a", 7), out);
    streams.roomDone("a", 7, false, out);
    assertEquals(List.of("a:5", "a:6", "a:7", "a:8", "caught a 8"), out.take());

    streams.roomDone("b", 3, false, out);
    assertEquals(List.of("caught b 3", "synced 2"), out.take(), "b's held 3 is covered by the replay's end");
  }

  @Test
  void heldItemsThatDoNotJoinUpWithTheReplayTriggerAnotherReplay() {
    streams.startInitialSync(java.util.Map.of("a", 1L), out);
    streams.live(e("a", 12), out);
    streams.replayed(e("a", 9), out);
    streams.roomDone("a", 9, false, out);
    assertEquals(List.of("a:9", "replay a 10"), out.take());

    streams.replayed(e("a", 10), out);
    streams.replayed(e("a", 11), out);
    streams.replayed(e("a", 12), out);
    streams.roomDone("a", 12, false, out);
    assertEquals(List.of("a:10", "a:11", "a:12", "caught a 12", "synced 1"), out.take());
  }

  @Test
  void itemsDroppedBeyondTheHoldLimitAreReadAgain() {
    streams.startInitialSync(java.util.Map.of("a", 1L), out);
    for (long seq = 10; seq < 10 + RoomStreams.MAX_HELD_PER_ROOM + 5; seq++) {
      streams.live(e("a", seq), out);
    }
    streams.roomDone("a", 9, false, out);
    List<String> decided = out.take();
    assertEquals("replay a " + (10 + RoomStreams.MAX_HELD_PER_ROOM), decided.get(decided.size() - 1));
    assertEquals(RoomStreams.MAX_HELD_PER_ROOM + 1, decided.size());
  }

  @Test
  void aGapMovesTheRoomPastWhatWillNotBeDelivered() {
    streams.startInitialSync(java.util.Map.of("a", 1L), out);
    streams.gap("a", 2, 4, out);
    streams.replayed(e("a", 5), out);
    streams.roomDone("a", 5, false, out);
    assertEquals(List.of("gap a 2-4", "a:5", "caught a 5", "synced 1"), out.take());
  }

  @Test
  void aRoomTheUserLeftIsSkippedAndNoRoomsMeansSyncedAtOnce() {
    streams.startInitialSync(java.util.Map.of("a", 1L), out);
    streams.skipped("a", out);
    assertEquals(List.of("synced 1"), out.take());

    RoomStreams none = new RoomStreams();
    none.startInitialSync(java.util.Map.of(), out);
    assertEquals(List.of("synced 0"), out.take());
  }

  @Test
  void aNewDeviceStartsAtTheEndButKeepsWhatItHeldLive() {
    RoomStreams fresh = new RoomStreams();
    java.util.Map<String, Long> starts = new java.util.HashMap<>();
    starts.put("a", null);
    starts.put("b", null);
    fresh.startInitialSync(starts, out);
    out.take();
    // 51 arrived live before the replay looked at where "a" ends
    fresh.live(e("a", 51), out);
    fresh.roomDone("a", 51, true, out);
    assertEquals(List.of("baseline a 50", "a:51", "caught a 51"), out.take());
    // "b" ends at 7 and nothing was held: the device starts there
    fresh.roomDone("b", 7, true, out);
    assertEquals(List.of("baseline b 7", "caught b 7", "synced 2"), out.take());
  }

  @Test
  void aNewDeviceThatHeldOnlyLaterItemsReadsTheRestUpToTheEnd() {
    java.util.Map<String, Long> starts = new java.util.HashMap<>();
    starts.put("a", null);
    streams.startInitialSync(starts, out);
    streams.live(e("a", 51), out);
    streams.roomDone("a", 53, true, out);
    assertEquals(List.of("baseline a 50", "a:51", "replay a 52"), out.take());
  }

  @Test
  void theInitialSyncNeverResendsWhatTheDeviceAcknowledged() {
    streams.startInitialSync(java.util.Map.of("a", 12L), out);
    streams.live(e("a", 11), out);
    streams.replayed(e("a", 11), out);
    streams.replayed(e("a", 12), out);
    streams.roomDone("a", 12, false, out);
    assertEquals(List.of("a:12", "caught a 12", "synced 1"), out.take());
    assertEquals(12, streams.lastSent("a"));
  }
}
